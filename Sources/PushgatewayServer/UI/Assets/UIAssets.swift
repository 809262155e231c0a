import PushgatewayCore

/// The files served under `P/static/`, compiled into the binary.
enum UIAssets {
    /// One served file.
    struct Asset: Sendable {
        var contentType: String
        var bytes: [UInt8]
    }

    /// The files by name (the path after `static/`).
    static let files: [String: Asset] = [
        "pushgateway.css": Asset(contentType: "text/css; charset=utf-8", bytes: Array(stylesheet.utf8)),
        "pushgateway.js": Asset(contentType: "application/javascript; charset=utf-8", bytes: Array(script.utf8)),
        "favicon.svg": Asset(contentType: "image/svg+xml", bytes: Array(favicon.utf8)),
    ]

    /// The `v` query parameter of asset links: the gateway version and a checksum of the assets, so a
    /// changed file gets a new URL even within one version and the long cache lifetime is safe.
    static let version: String = {
        var crc: [UInt8] = []
        for name in files.keys.sorted() {
            crc += files[name]?.bytes ?? []
        }
        return BuildInformation.version + "-" + String(CRC32.ieee.checksum(crc), radix: 16)
    }()

    /// `Cache-Control` of assets: links carry ``version``, so a year is safe.
    static let cacheControl = "public, max-age=31536000, immutable"

    /// The asset at `path` (with or without a leading `/`), or nil.
    static func asset(at path: [UInt8]) -> Asset? {
        let name = path.first == 0x2F ? path.dropFirst() : path[...]
        return self.files[String(decoding: name, as: UTF8.self)]
    }

    /// A push-arrow mark on the Prometheus orange.
    static let favicon = #"""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
        <circle cx="16" cy="16" r="15" fill="#e6522c"/>
        <path d="M16 7 L24 16 H19 V25 H13 V16 H8 Z" fill="#ffffff"/>
        </svg>
        """#
}
