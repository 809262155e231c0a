import PushgatewayCore

// What upstream's template shows inside a group (PG resources/template.html): per family its name, help,
// type and "last pushed" time, and a "Labels | Value" table whose value cell holds the number for counters,
// gauges and untyped metrics, and a small table for summaries (quantiles, count, sum) and histograms
// (classic buckets "Sample values ≤ bound", count, sum). Native histograms are shown as their schema, zero
// bucket and populated buckets as ranges, and exemplars where present, which upstream does not show.

/// Renders the families of one group as an HTML fragment for `ui/group/<path>`.
enum UIGroupFragment {
    /// The fragment for `group`, or the "no longer exists" note for nil.
    static func render(_ group: MetricGroupSnapshot?) -> [UInt8] {
        guard let group else {
            var html = HTMLWriter(capacity: 128)
            html.raw("<p class=\"pg-note pg-gone\">This group no longer exists. Reload the page to see the current groups.</p>\n")
            return html.bytes
        }
        var html = HTMLWriter(capacity: 4096)
        for timestamped in group.families {
            self.family(timestamped, to: &html)
        }
        return html.bytes
    }

    private static func family(_ timestamped: MetricGroupSnapshot.TimestampedFamily, to html: inout HTMLWriter) {
        let family = timestamped.family
        html.raw("<details class=\"pg-family\">\n<summary class=\"pg-family-header\"><span class=\"pg-family-name\">")
        html.text(family.name)
        html.raw("</span> <span class=\"pg-type\">")
        html.text(family.type.textName)
        html.raw("</span>")
        if let help = family.help, !help.isEmpty {
            html.raw(" <span class=\"pg-help\">")
            html.text(help)
            html.raw("</span>")
        }
        html.raw(" <span class=\"pg-time\">last pushed: <time>")
        html.time(timestamped.time)
        html.raw("</time></span></summary>\n")
        html.raw("<table class=\"pg-samples\">\n<thead><tr><th>Labels</th><th>Value</th></tr></thead>\n<tbody>\n")
        for metric in family.metrics {
            html.raw("<tr><td class=\"pg-labels\">")
            for label in metric.labels {
                html.raw(self.badgeOpening(label.name))
                html.text(UIFormat.badge(label))
                html.raw("</span> ")
            }
            html.raw("</td><td class=\"pg-value\">")
            self.value(metric.value, to: &html)
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody>\n</table>\n</details>\n")
    }

    private static func badgeOpening(_ name: String) -> StaticString {
        switch name {
        case "job": "<span class=\"pg-badge pg-job\">"
        case "instance": "<span class=\"pg-badge pg-instance\">"
        default: "<span class=\"pg-badge pg-label\">"
        }
    }

    private static func value(_ value: MetricValue, to html: inout HTMLWriter) {
        switch value {
        case .counter(let counter):
            html.value(counter.value)
            if let exemplar = counter.exemplar {
                html.raw("<div class=\"pg-exemplar\">")
                self.exemplar(exemplar, to: &html)
                html.raw("</div>")
            }
        case .gauge(let value), .untyped(let value):
            html.value(value)
        case .summary(let summary):
            html.raw("<table class=\"pg-inner\">\n")
            for quantile in summary.quantiles {
                self.row(to: &html) { html in
                    html.raw("Quantile ")
                    html.value(quantile.quantile)
                } value: {
                    $0.value(quantile.value)
                }
            }
            self.row("Sample Count", to: &html) { $0.number(summary.sampleCount) }
            self.row("Sample Sum", to: &html) { $0.value(summary.sampleSum) }
            html.raw("</table>")
        case .histogram(let histogram):
            self.histogram(histogram, to: &html)
        case .none:
            html.raw("<span class=\"pg-muted\">no value</span>")
        }
    }

    private static func histogram(_ histogram: Histogram, to html: inout HTMLWriter) {
        html.raw("<table class=\"pg-inner\">\n")
        for bucket in histogram.buckets {
            self.row(to: &html) { html in
                html.raw("Sample values &le; ")
                html.value(bucket.upperBound)
            } value: { html in
                if let count = bucket.cumulativeCountFloat {
                    html.value(count)
                } else {
                    html.number(bucket.cumulativeCount)
                }
                if let exemplar = bucket.exemplar {
                    html.raw("<div class=\"pg-exemplar\">")
                    self.exemplar(exemplar, to: &html)
                    html.raw("</div>")
                }
            }
        }
        self.row("Total sample Count", to: &html) { html in
            if let count = histogram.sampleCountFloat {
                html.value(count)
            } else {
                html.number(histogram.sampleCount)
            }
        }
        self.row("Sample Sum", to: &html) { $0.value(histogram.sampleSum) }
        if histogram.isNative {
            self.nativeBuckets(histogram, to: &html)
        }
        if !histogram.exemplars.isEmpty {
            self.row("Exemplars", to: &html) { html in
                for exemplar in histogram.exemplars {
                    html.raw("<div class=\"pg-exemplar\">")
                    self.exemplar(exemplar, to: &html)
                    html.raw("</div>")
                }
            }
        }
        html.raw("</table>")
    }

    /// Schema, zero threshold, spans, and the populated buckets (the zero bucket among them) as ranges
    /// (`(1, 2]`), most negative first.
    private static func nativeBuckets(_ histogram: Histogram, to html: inout HTMLWriter) {
        self.row("Native schema", to: &html) { $0.number(histogram.schema ?? 0) }
        self.row("Zero threshold", to: &html) { $0.value(histogram.zeroThreshold ?? 0) }
        for (side, spans) in [("Negative spans", histogram.negativeSpans), ("Positive spans", histogram.positiveSpans)] where !spans.isEmpty
        {
            self.row(side, to: &html) { html in
                for (position, span) in spans.enumerated() {
                    if position > 0 {
                        html.raw(", ")
                    }
                    html.raw("offset ")
                    html.number(span.offset)
                    html.raw(" length ")
                    html.number(span.length)
                }
            }
        }
        for bucket in histogram.nativeBuckets {
            self.row(to: &html) { html in
                html.raw("Native bucket ")
                html.raw(bucket.boundaries == 1 || bucket.boundaries == 3 ? "[" : "(")
                html.value(bucket.lower)
                html.raw(", ")
                html.value(bucket.upper)
                html.raw(bucket.boundaries == 0 || bucket.boundaries == 3 ? "]" : ")")
            } value: { html in
                switch bucket.count {
                case .integer(let count): html.number(count)
                case .float(let count): html.value(count)
                }
            }
        }
    }

    /// `{name="value", …} value @ time`.
    private static func exemplar(_ exemplar: Exemplar, to html: inout HTMLWriter) {
        html.raw("<span class=\"pg-muted\">exemplar</span> {")
        for (position, label) in exemplar.labels.enumerated() {
            if position > 0 {
                html.raw(", ")
            }
            html.text(UIFormat.badge(label))
        }
        html.raw("} ")
        html.value(exemplar.value)
        if let time = exemplar.timestamp {
            html.raw(" @ ")
            html.time(time)
        }
    }

    private static func row(_ name: String, to html: inout HTMLWriter, value: (inout HTMLWriter) -> Void) {
        self.row(to: &html, name: { $0.text(name) }, value: value)
    }

    private static func row(to html: inout HTMLWriter, name: (inout HTMLWriter) -> Void, value: (inout HTMLWriter) -> Void) {
        html.raw("<tr><th scope=\"row\">")
        name(&html)
        html.raw("</th><td>")
        value(&html)
        html.raw("</td></tr>\n")
    }
}
