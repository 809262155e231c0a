import NIOCore
import Testing

@testable import PushgatewayServer

struct SystemdActivationTests {
    private static func descriptors(_ environment: [String: String], pid: Int32 = 4242) -> [Int32] {
        SystemdActivation.descriptors(environment: { environment[$0] }, pid: pid)
    }

    @Test func takesTheDescriptorsFromThreeOnForThisProcess() {
        #expect(Self.descriptors(["LISTEN_PID": "4242", "LISTEN_FDS": "1"]) == [3])
        #expect(Self.descriptors(["LISTEN_PID": "4242", "LISTEN_FDS": "3"]) == [3, 4, 5])
    }

    @Test(arguments: [
        ["LISTEN_PID": "4243", "LISTEN_FDS": "1"],
        ["LISTEN_FDS": "1"],
        ["LISTEN_PID": "4242"],
        ["LISTEN_PID": "4242", "LISTEN_FDS": "0"],
        ["LISTEN_PID": "4242", "LISTEN_FDS": "-2"],
        ["LISTEN_PID": "pid", "LISTEN_FDS": "1"],
    ])
    func ignoresVariablesMeantForAnotherProcessOrMalformed(_ environment: [String: String]) {
        #expect(Self.descriptors(environment).isEmpty)
    }

    @Test func printsClientAddressesAsGoDoes() throws {
        #expect(GatewayRequestContext.goAddress(try SocketAddress(ipAddress: "127.0.0.1", port: 54321)) == "127.0.0.1:54321")
        #expect(GatewayRequestContext.goAddress(try SocketAddress(ipAddress: "::1", port: 9091)) == "[::1]:9091")
        #expect(GatewayRequestContext.goAddress(try SocketAddress(ipAddress: "::", port: 9091)) == "[::]:9091")
    }
}
