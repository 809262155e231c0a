import NIOCore
import NIOSSL
import NIOTLS

/// `client_allowed_sans`: once the handshake is done, the client certificate must carry one of the listed
/// subject alternative names (DNS, e-mail, IP or URI, compared exactly as Go prints them), or the connection is
/// closed before any request is read. exporter-toolkit fails the handshake itself; the client sees a closed
/// connection either way.
final class AllowedSANsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    private let allowed: Set<String>
    private var verified = false

    init(allowed: [String]) {
        self.allowed = Set(allowed)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            if let certificate, !self.allowed.isDisjoint(with: Self.names(of: certificate)) {
                self.verified = true
            } else {
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing passes before the check, should data ever arrive with the handshake's end.
        guard self.verified else { return }
        context.fireChannelRead(data)
    }

    /// The certificate's subject alternative names as Go's `VerifyPeerCertificate` in exporter-toolkit lists them.
    static func names(of certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { name in
            let bytes = name.contents.withUnsafeBufferPointer { Array($0) }
            switch name.nameType {
            case .dnsName, .email, .uri:
                return String(decoding: bytes, as: UTF8.self)
            case .ipAddress:
                return Self.ipText(bytes)
            default:
                return nil
            }
        }
    }

    /// Go's `net.IP.String()` for 4- and 16-byte addresses (RFC 5952 for IPv6, IPv4-mapped as dotted quad).
    static func ipText(_ bytes: [UInt8]) -> String? {
        if bytes.count == 4 {
            return bytes.map(String.init).joined(separator: ".")
        }
        guard bytes.count == 16 else {
            return nil
        }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        // The longest run of two or more zero groups (the first of equal runs) becomes "::".
        var best = (start: -1, length: 0)
        var index = 0
        while index < 8 {
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > best.length && end - index >= 2 {
                best = (index, end - index)
            }
            index = max(end, index + 1)
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard best.start >= 0 else {
            return hex(0..<8)
        }
        return hex(0..<best.start) + "::" + hex((best.start + best.length)..<8)
    }
}
