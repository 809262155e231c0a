/// The `--help-man` page: a troff man page (section 1) around the `--help` text, as kingpin offers one.
enum ManPage {
    /// The page for `name` at `version`, with `help` (the `--help` text) as its option list.
    static func render(name: String, version: String, help: String) -> String {
        var page = ".TH \(name) 1 \"\(Self.escaped(version))\"\n"
        page += ".SH \"NAME\"\n\(name) \\- The Pushgateway\n"
        page += ".SH \"SYNOPSIS\"\n.TP\n\\fB\(name) [<flags>]\\fR\n"
        page += ".SH \"DESCRIPTION\"\nThe Pushgateway: a place to push metrics to, for Prometheus to scrape.\n"
        page += ".SH \"OPTIONS\"\n.nf\n"
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            page += Self.escaped(String(line)) + "\n"
        }
        page += ".fi\n"
        return page
    }

    /// Text made safe for troff: backslashes doubled as `\e`, and a line starting with `.` or `'` (a request
    /// otherwise) guarded with `\&`.
    private static func escaped(_ line: String) -> String {
        let text = line.replacing("\\", with: "\\e")
        return text.hasPrefix(".") || text.hasPrefix("'") ? "\\&" + text : text
    }
}
