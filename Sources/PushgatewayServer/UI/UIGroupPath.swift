import PushgatewayCore

/// The grouping path of a group as the page's delete and fragment URLs use it:
/// `job@base64/<job>/<name>@base64/<value>…`, every value base64url without padding (`=` for the empty
/// value, which an empty segment could not carry), which the push, delete and fragment routes all decode.
enum UIGroupPath {
    /// The path for `key`: `job` first, then the other labels in key order.
    ///
    /// A name that is not a legacy label name (possible with `--push.enable-utf8-names`) is written in the
    /// `U__` value encoding the routes unescape.
    static func path(for key: GroupingKey) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        out += Array("job@base64/".utf8)
        self.appendValue(key.job, to: &out)
        for label in key.labels where label.name != "job" {
            out.append(0x2F)
            out += Array(self.routeName(label.name).utf8)
            out += Array("@base64/".utf8)
            self.appendValue(label.value, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func routeName(_ name: String) -> String {
        LegacyName.isValidLabelName(name) ? name : NameEscapingScheme.values.escape(name)
    }

    private static func appendValue(_ value: String, to out: inout [UInt8]) {
        if value.isEmpty {
            out.append(0x3D)
        } else {
            self.appendBase64URL(value.utf8, to: &out)
        }
    }

    /// RFC 4648 base64url without padding.
    static func appendBase64URL(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        let input = Array(bytes)
        var index = 0
        while index + 3 <= input.count {
            let quantum = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            for shift in [18, 12, 6, 0] as [UInt32] {
                out.append(alphabet[Int(quantum >> shift & 0x3F)])
            }
            index += 3
        }
        let rest = input.count - index
        if rest == 1 {
            let quantum = UInt32(input[index]) << 16
            out.append(alphabet[Int(quantum >> 18 & 0x3F)])
            out.append(alphabet[Int(quantum >> 12 & 0x3F)])
        } else if rest == 2 {
            let quantum = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(alphabet[Int(quantum >> 18 & 0x3F)])
            out.append(alphabet[Int(quantum >> 12 & 0x3F)])
            out.append(alphabet[Int(quantum >> 6 & 0x3F)])
        }
    }
}

private let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
