// libFuzzer entry point for delimited protobuf. Built by scripts/fuzz.sh together with PushgatewayCore's sources
// (so internal API is in reach). Beyond not crashing, every answer is checked; a wrong one aborts, and libFuzzer
// keeps the input:
// - decode → encode → decode → encode gives the same bytes (NaN-safe, unlike comparing models), and the
//   streaming and the one-shot encoder agree;
// - per-metric encodings (what the store caches) reassemble into a message that decodes to the same metrics;
// - names are never empty and never hold NUL; label values and help keep every byte (the round trip);
// - a codec with small limits refuses exactly the input that exceeds them, with `limitExceeded`;
// - the text exposition written from a well-formed decode parses back with the same families;
// - the text writer survives every escaping scheme, and the protobuf text writer the raw input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var text: [UInt8] = []
    ProtobufTextFormat.appendFamily(bytes, multiline: size % 2 == 0, to: &text)
    let codec = ProtobufCodec(options: .init(limits: .unlimited))
    let families: [MetricFamily]
    do {
        families = try codec.decodeDelimited(bytes)
    } catch {
        // Whatever the unlimited codec refuses, the gateway's codec refuses too.
        fuzzCheck(
            (try? ProtobufCodec().decodeDelimited(bytes)) == nil,
            "the default codec accepts what the unlimited one refuses: \(error)"
        )
        return 0
    }
    fuzzCheckNames(families)
    fuzzCheckLimits(bytes, families)
    fuzzCheckRoundTrip(families, codec: codec)
    fuzzCheckStoredMetrics(families, codec: codec)
    fuzzCheckTextParsesBack(families)
    for scheme in [NameEscapingScheme.allowUTF8, .underscores, .dots, .values] {
        _ = TextFormatEncoder.encode(families.map { $0.escaped(scheme) })
    }
    return 0
}

private func fuzzCheckNames(_ families: [MetricFamily]) {
    for family in families {
        fuzzCheck(!family.name.isEmpty, "a family without a name was accepted")
        fuzzCheck(!family.name.utf8.contains(0), "a metric name with NUL was accepted: \(GoQuote.string(family.name))")
        for metric in family.metrics {
            for label in metric.labels {
                fuzzCheck(!label.name.utf8.contains(0), "a label name with NUL was accepted: \(GoQuote.string(label.name))")
            }
        }
    }
}

private func fuzzCheckLimits(_ bytes: [UInt8], _ families: [MetricFamily]) {
    let limits = PushLimits(maxLabelsPerSeries: 3, maxNameOrValueBytes: 8, maxSeriesPerPush: 4)
    var exceeded = families.reduce(0) { $0 + $1.metrics.count } > limits.maxSeriesPerPush
    for family in families {
        exceeded = exceeded || family.name.utf8.count > limits.maxNameOrValueBytes
        for metric in family.metrics {
            exceeded = exceeded || metric.labels.count > limits.maxLabelsPerSeries
            for label in metric.labels {
                exceeded = exceeded || max(label.name.utf8.count, label.value.utf8.count) > limits.maxNameOrValueBytes
            }
        }
    }
    let limited = ProtobufCodec(options: .init(limits: limits))
    do {
        let decoded = try limited.decodeDelimited(bytes)
        fuzzCheck(!exceeded, "input over the limits was accepted")
        fuzzCheck(limited.encodeDelimited(decoded) == limited.encodeDelimited(families), "limits changed what decodes")
    } catch {
        fuzzCheck(exceeded && error.code == .limitExceeded, "input within the limits was refused: \(error)")
    }
}

private func fuzzCheckRoundTrip(_ families: [MetricFamily], codec: ProtobufCodec) {
    let once = codec.encodeDelimited(families)
    var appended: [UInt8] = []
    codec.appendDelimited(families, to: &appended)
    fuzzCheck(appended == once, "appendDelimited and encodeDelimited disagree")
    do {
        let again = try codec.decodeDelimited(once)
        fuzzCheck(again.count == families.count, "the round trip changed the number of families")
        fuzzCheck(codec.encodeDelimited(again) == once, "decode → encode is not a fixpoint")
    } catch {
        fuzzCheck(false, "our own encoding does not decode: \(error)")
    }
}

private func fuzzCheckStoredMetrics(_ families: [MetricFamily], codec: ProtobufCodec) {
    for family in families {
        let encoded = codec.encodeMetrics(family.metrics)
        for (metric, bytes) in zip(family.metrics, encoded) {
            fuzzCheck(codec.encodeMetric(metric) == bytes, "encodeMetric and encodeMetrics disagree")
        }
        // As the store assembles a family: the metric field per cached metric, nothing else.
        var message: [UInt8] = []
        for bytes in encoded {
            WireWriter.appendLengthDelimited(WireField.MetricFamily.metric, bytes, to: &message)
        }
        do {
            let decoded = try codec.decodeMessage(message)
            fuzzCheck(codec.encodeMetrics(decoded.metrics) == encoded, "stored metric encodings do not round-trip")
        } catch {
            fuzzCheck(false, "stored metric encodings do not decode: \(error)")
        }
    }
}

private func fuzzCheckTextParsesBack(_ families: [MetricFamily]) {
    guard textCanCarry(families) else { return }
    let written = TextFormatEncoder.encode(families)
    do {
        let parsed = try TextFormatParser(options: .init(allowUTF8Names: true)).parse(written)
        let expected = families.filter { family in family.metrics.contains { $0.value != .none } }.map(\.name)
        fuzzCheck(parsed.map(\.name) == expected, "the text scrape parses back as other families: \(parsed.map(\.name)) for \(expected)")
    } catch {
        fuzzCheck(false, "the text scrape of an accepted push does not parse: \(error)\n\(String(decoding: written, as: UTF8.self))")
    }
}
