import Foundation
import Logging
import Testing

@testable import PushgatewayServer

struct WebLayerSourceTests {
    static let alice = "basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n"

    @Test func readsTheFileAgainOnlyWhenItChanges() throws {
        let path = NSTemporaryDirectory() + "web-layer-\(UUID().uuidString).yml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.alice.write(toFile: path, atomically: true, encoding: .utf8)
        let source = WebLayerSource(path: path, configuration: try WebConfiguration.load(path: path), logger: Logger(label: "test"))
        #expect(try source.current().get()?.headers.isEmpty == true)

        try (Self.alice + "http_server_config:\n  headers:\n    X-Frame-Options: deny\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try source.current().get()?.headers.map(\.value) == ["deny"])

        try "basic_auth_users: [\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: WebConfigurationError.self) { try source.current().get() }

        try FileManager.default.removeItem(atPath: path)
        #expect(throws: WebConfigurationError.self) { try source.current().get() }

        try Self.alice.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try source.current().get()?.authenticator != nil)
    }

    @Test func aConfigurationGivenInCodeNeverChanges() throws {
        let configuration = try WebConfiguration(yaml: Self.alice, directory: ".")
        let source = WebLayerSource(path: nil, configuration: configuration, logger: Logger(label: "test"))
        #expect(try source.current().get()?.authenticator != nil)
    }
}
