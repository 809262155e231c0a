import PushgatewayCore
import PushgatewayStorage

// The page upstream serves at `/` and `/status` (PG resources/template.html: a navbar, a Metrics tab with
// one card per group, a Status tab), written anew. Upstream renders every family of every group into the
// page; here each group is one compact line, and its families are fetched from `ui/group/<path>` when it is
// opened, so that 10,000 groups stay a page of a few hundred bytes each.
//
// A group line is
//
//     <div class=pg-group data-group="job@base64/…" data-n=3><b>job="a"</b><b class=i>instance="b"</b>
//     <b class=o>x="y"</b><em class=pg-failed>Last push failed!</em></div>
//
// (`<b>` badges: `job` first and without a class, `i` for `instance`, `o` for the others; `data-n` indexes
// the family-name lists in `#pg-names` and is left out when it equals the previous group's). The script
// completes each line once, at load, into the structure the page is styled and tested by:
// `.pg-group > .pg-group-header > (.pg-badge…, .pg-failed, .pg-delete-group)` and `.pg-group-body`, and
// copies the names list into `data-names`.

/// Renders the web UI's page.
struct UIPage {
    /// What the page shows besides the groups.
    struct Context {
        /// Where assets are linked from: the external URL's path, or `.` for links relative to the page.
        var assetBase: String
        /// The `v` query parameter of asset links.
        var assetVersion: String
        var enableAdminAPI: Bool
        var startTime: Timestamp
        var buildInformation: [(name: String, value: String)]
        var flags: [String: String]
        var statistics: StoreStatistics
        var persistence: PersistenceStatus?
    }

    /// The upstream README the Help link points at.
    static let helpURL: StaticString = "https://github.com/prometheus/pushgateway/blob/master/README.md"

    /// The whole page.
    static func render(groups: [GroupSummary], context: Context) -> [UInt8] {
        var html = HTMLWriter(capacity: 2048 + groups.count * 160)
        html.raw(
            """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Prometheus Pushgateway</title>

            """
        )
        for (tag, file) in [("icon", "favicon.svg"), ("stylesheet", "pushgateway.css")] {
            html.raw("<link rel=\"")
            html.text(tag)
            html.raw("\" href=\"")
            self.assetLink(file, context: context, to: &html)
            html.raw("\">\n")
        }
        html.raw("<script defer src=\"")
        self.assetLink("pushgateway.js", context: context, to: &html)
        html.raw("\"></script>\n</head>\n<body>\n")
        self.navigation(to: &html)
        html.raw("<div id=\"pg-error\" class=\"pg-error\" role=\"alert\" hidden></div>\n")
        self.metricsPane(groups: groups, context: context, to: &html)
        self.statusPane(context: context, to: &html)
        self.confirmDialog(to: &html)
        html.raw("</body>\n</html>\n")
        return html.bytes
    }

    private static func assetLink(_ file: String, context: Context, to html: inout HTMLWriter) {
        html.text(context.assetBase)
        html.raw("/static/")
        html.text(file)
        html.raw("?v=")
        html.text(context.assetVersion)
    }

    private static func navigation(to html: inout HTMLWriter) {
        html.raw(
            """
            <nav class="pg-nav">
            <a class="pg-brand" href="#">Pushgateway</a>
            <a id="pg-tab-metrics" class="pg-tab" href="#metrics" aria-current="page">Metrics</a>
            <a id="pg-tab-status" class="pg-tab" href="#status">Status</a>
            <a class="pg-tab" href="
            """
        )
        html.raw(Self.helpURL)
        html.raw("\" target=\"_blank\" rel=\"noopener\">Help</a>\n</nav>\n")
    }

    // MARK: Metrics

    private static func metricsPane(groups: [GroupSummary], context: Context, to html: inout HTMLWriter) {
        html.raw("<main id=\"pg-metrics\" class=\"pg-pane\">\n<div class=\"pg-toolbar\">\n")
        html.raw(
            """
            <input id="pg-filter" type="search" placeholder="Filter by grouping label or metric name" \
            autocomplete="off" aria-label="Filter groups">

            """
        )
        html.raw("<span id=\"pg-count\" class=\"pg-count\">")
        html.number(groups.count)
        html.raw(groups.count == 1 ? " group" : " groups")
        html.raw("</span>\n")
        if context.enableAdminAPI {
            html.raw("<button id=\"pg-delete-all\" class=\"pg-button pg-danger\" type=\"button\">Delete All ")
            html.number(groups.count)
            html.raw(" Groups</button>\n")
        }
        html.raw("</div>\n")
        html.raw("<p id=\"pg-empty\" class=\"pg-note\"")
        if !groups.isEmpty {
            html.raw(" hidden")
        }
        html.raw(">No metrics have been pushed yet.</p>\n<div id=\"pg-groups\">\n")

        // Family-name lists, each written once however many groups share it.
        var listIndex: [[String]: Int] = [:]
        var lists: [[String]] = []
        var previous = -1
        for group in groups {
            let index: Int
            if let known = listIndex[group.familyNames] {
                index = known
            } else {
                index = lists.count
                listIndex[group.familyNames] = index
                lists.append(group.familyNames)
            }
            self.groupLine(group, listIndex: index == previous ? nil : index, to: &html)
            previous = index
        }
        html.raw("</div>\n<script type=\"application/json\" id=\"pg-names\">[")
        for (position, names) in lists.enumerated() {
            if position > 0 {
                html.raw(",")
            }
            self.jsonString(names.joined(separator: " "), to: &html)
        }
        html.raw("]</script>\n</main>\n")
    }

    private static func groupLine(_ group: GroupSummary, listIndex: Int?, to html: inout HTMLWriter) {
        html.raw("<div class=pg-group data-group=\"")
        html.text(UIGroupPath.path(for: group.key))
        html.raw("\"")
        if let listIndex {
            html.raw(" data-n=")
            html.number(listIndex)
        }
        html.raw("><b>")
        let job = group.key.labels.first { $0.name == "job" } ?? LabelPair(name: "job", value: "")
        html.text(UIFormat.badge(job))
        html.raw("</b>")
        for label in group.key.labels where label.name != "job" {
            html.raw(label.name == "instance" ? "<b class=i>" : "<b class=o>")
            html.text(UIFormat.badge(label))
            html.raw("</b>")
        }
        if !group.lastPushSuccessful {
            html.raw("<em class=pg-failed>Last push failed!</em>")
        }
        html.raw("</div>\n")
    }

    /// A JSON string inside a `<script>` element: `<`, `>` and `&` as `\u` escapes, so no text can close the
    /// element or be read as markup.
    private static func jsonString(_ text: String, to html: inout HTMLWriter) {
        html.raw("\"")
        var plain: [UInt8] = []
        func flush(_ html: inout HTMLWriter) {
            html.text(bytes: plain)
            plain.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: flush(&html); html.raw("\\\"")
            case 0x5C: flush(&html); html.raw("\\\\")
            case 0x3C: flush(&html); html.raw("\\u003c")
            case 0x3E: flush(&html); html.raw("\\u003e")
            case 0x26: flush(&html); html.raw("\\u0026")
            case 0x27: flush(&html); html.raw("\\u0027")
            case 0x00..<0x20:
                flush(&html)
                html.raw("\\u00")
                html.raw(hexDigits[Int(byte >> 4)])
                html.raw(hexDigits[Int(byte & 0xF)])
            default: plain.append(byte)
            }
        }
        flush(&html)
        html.raw("\"")
    }

    // MARK: Status

    private static func statusPane(context: Context, to html: inout HTMLWriter) {
        html.raw("<main id=\"pg-status\" class=\"pg-pane\" hidden>\n<h2>Runtime Information</h2>\n<table class=\"pg-kv\">\n")
        self.row("Started", to: &html) { $0.time(context.startTime) }
        html.raw("</table>\n<h2>Store</h2>\n<table class=\"pg-kv\">\n")
        self.row("Groups", to: &html) { $0.number(context.statistics.groups) }
        self.row("Series", to: &html) { $0.number(context.statistics.series) }
        self.row("Bytes held", to: &html) { $0.number(context.statistics.bytes) }
        self.row("Persistence file", to: &html) { html in
            if let persistence = context.persistence {
                html.text(persistence.file)
            } else {
                html.raw("<span class=\"pg-muted\">none (persistence is off)</span>")
            }
        }
        if let persistence = context.persistence {
            self.row("Last successful persist", to: &html) { html in
                if let time = persistence.lastSuccess {
                    html.time(time)
                } else {
                    html.raw("<span class=\"pg-muted\">not yet in this process</span>")
                }
            }
            self.row("Persistence error", to: &html) { html in
                if let error = persistence.lastError {
                    html.raw("<span class=\"pg-error-text\">")
                    html.text(error)
                    html.raw("</span>")
                } else {
                    html.raw("<span class=\"pg-muted\">none</span>")
                }
            }
        }
        html.raw("</table>\n<h2>Build Information</h2>\n<table class=\"pg-kv\">\n")
        for (name, value) in context.buildInformation {
            self.row(name, to: &html) { $0.text(value) }
        }
        html.raw("</table>\n<h2>Startup Flags</h2>\n<table class=\"pg-kv\">\n")
        for (name, value) in context.flags.sorted(by: { $0.key < $1.key }) {
            self.row(name, to: &html) { $0.text(value) }
        }
        html.raw("</table>\n</main>\n")
    }

    private static func row(_ name: String, to html: inout HTMLWriter, value: (inout HTMLWriter) -> Void) {
        html.raw("<tr><th scope=\"row\">")
        html.text(name)
        html.raw("</th><td>")
        value(&html)
        html.raw("</td></tr>\n")
    }

    private static func confirmDialog(to html: inout HTMLWriter) {
        html.raw(
            """
            <dialog id="pg-confirm" class="pg-dialog" aria-labelledby="pg-confirm-title">
            <h2 id="pg-confirm-title">Confirm deletion</h2>
            <p id="pg-confirm-text"></p>
            <div class="pg-actions">
            <button id="pg-confirm-no" class="pg-button" type="button">Cancel</button>
            <button id="pg-confirm-yes" class="pg-button pg-danger" type="button">Delete</button>
            </div>
            </dialog>

            """
        )
    }
}

private let hexDigits: [StaticString] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
