#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Native histogram buckets as Prometheus decodes them (prometheus/prometheus model/histogram/generic.go):
// the bucket bounds of each schema, including its lookup table's last digits, and the populated buckets of a
// histogram in upstream's order. The JSON API prints them (prometheus/pushgateway histogram/prometheus_model.go).

/// A populated native histogram bucket as upstream's API shows it (prometheus/pushgateway `histogram.APIBucket`).
package struct NativeBucket: Hashable, Sendable {
    /// A bucket population: integer histograms count in `UInt64`, float histograms in `Double`.
    package enum Count: Hashable, Sendable {
        /// The population of an integer histogram bucket.
        case integer(UInt64)
        /// The population of a float histogram bucket.
        case float(Double)
    }

    /// Which bounds belong to the bucket: 0 `(lower, upper]`, 1 `[lower, upper)`, 2 `(lower, upper)`,
    /// 3 `[lower, upper]`.
    package var boundaries: UInt8
    /// The lower bound.
    package var lower: Double
    /// The upper bound.
    package var upper: Double
    /// The population.
    package var count: Count

    /// Creates a bucket.
    package init(boundaries: UInt8, lower: Double, upper: Double, count: Count) {
        self.boundaries = boundaries
        self.lower = lower
        self.upper = upper
        self.count = count
    }

    /// The schema of native histograms with custom bucket bounds, which client_model v0.6.2 cannot carry.
    static let customBucketsSchema: Int32 = -53

    /// The bucket of `index` on the positive (`positive`) or negative side, as Prometheus' bucket iterators
    /// decode it (model/histogram/generic.go `at`).
    init(index: Int32, schema: Int32, positive: Bool, count: Count) {
        if positive {
            self.lower = Self.bound(index: index &- 1, schema: schema)
            self.upper = Self.bound(index: index, schema: schema)
        } else {
            self.lower = -Self.bound(index: index, schema: schema)
            self.upper = -Self.bound(index: index &- 1, schema: schema)
        }
        let lowerInclusive: Bool
        let upperInclusive: Bool
        if schema == Self.customBucketsSchema {
            lowerInclusive = index == 0
            upperInclusive = true
        } else {
            lowerInclusive = self.lower < 0
            upperInclusive = self.upper > 0
        }
        self.boundaries = lowerInclusive ? (upperInclusive ? 3 : 1) : (upperInclusive ? 0 : 2)
        self.count = count
    }

    /// The upper bound of positive bucket `index` in `schema`: 2^(index / 2^schema), as Prometheus'
    /// `getBoundExponential` computes it.
    ///
    /// The bucket just below 2^1024 ends at the largest finite double, so that the bucket above it counts the
    /// infinities. Upstream's handler panics on two schemas, so these bounds are this project's choice: above 8
    /// the bound is computed with `exp2`; with custom buckets (-53, no bounds on the wire) an index ≥ 0 ends at
    /// +Inf and any other at -Inf, which is what upstream computes for the indices it does not panic on.
    package static func bound(index: Int32, schema: Int32) -> Double {
        if schema == Self.customBucketsSchema {
            return index >= 0 ? .infinity : -.infinity
        }
        if schema < 0 {
            // Go's int shift: bits shifted out are lost, a shift of 64 or more yields 0.
            let exponent = Int64(index) << -Int64(schema)
            if exponent == 1024 {
                return .greatestFiniteMagnitude
            }
            return ldexp(1, Int32(clamping: exponent))
        }
        if schema <= 8 {
            let fraction = exponentialBoundFractions[Int(index & ((1 << schema) - 1)) << (8 - schema)]
            let exponent = (Int64(index) >> schema) + 1
            if fraction == 0.5 && exponent == 1025 {
                return .greatestFiniteMagnitude
            }
            return ldexp(fraction, Int32(clamping: exponent))
        }
        let shift = Int64(min(schema, 62))
        let whole = Int64(index) >> shift
        let fractionIndex = Int64(index) & ((1 << shift) - 1)
        if fractionIndex == 0 && whole == 1024 {
            return .greatestFiniteMagnitude
        }
        return ldexp(exp2(Double(fractionIndex) / Double(Int64(1) << shift)), Int32(whole))
    }

    /// The bucket index of each bucket `spans` describe, as Prometheus' bucket iterators walk them: the first
    /// span's offset is the first index, every later offset the gap after the previous span. Stops after
    /// `available` buckets (upstream panics when the spans describe more buckets than there are counts).
    static func indices(of spans: [BucketSpan], available: Int) -> [Int32] {
        var result: [Int32] = []
        var index: Int32 = 0
        for span in spans {
            index &+= span.offset
            var remaining = span.length
            while remaining > 0 {
                guard result.count < available else { return result }
                result.append(index)
                index &+= 1
                remaining -= 1
            }
        }
        return result
    }
}

extension Histogram {
    /// The populated native buckets in upstream's order: negative buckets (most negative first), the zero
    /// bucket `[-threshold, threshold]` if its count is not 0, positive buckets; buckets counting 0 are left
    /// out.
    ///
    /// A float histogram (``isFloat``) reads the absolute `*Counts` and ``zeroCountFloat``, an integer one
    /// the `*Deltas` and ``zeroCount``; integer populations wrap as Go's `uint64(int64)` conversion does.
    package var nativeBuckets: [NativeBucket] {
        let schema = self.schema ?? 0
        let negative: [NativeBucket.Count]
        let zero: NativeBucket.Count
        let positive: [NativeBucket.Count]
        if self.isFloat {
            negative = self.negativeCounts.map { .float($0) }
            zero = .float(self.zeroCountFloat ?? 0)
            positive = self.positiveCounts.map { .float($0) }
        } else {
            negative = Self.accumulate(self.negativeDeltas)
            zero = .integer(self.zeroCount ?? 0)
            positive = Self.accumulate(self.positiveDeltas)
        }
        var result: [NativeBucket] = []
        let negativeIndices = NativeBucket.indices(of: self.negativeSpans, available: negative.count)
        for position in negativeIndices.indices.reversed() where !Self.isZero(negative[position]) {
            result.append(NativeBucket(index: negativeIndices[position], schema: schema, positive: false, count: negative[position]))
        }
        if !Self.isZero(zero) {
            let threshold = self.zeroThreshold ?? 0
            // -threshold of a 0 threshold is -0, which Go prints as "-0".
            result.append(NativeBucket(boundaries: 3, lower: -threshold, upper: threshold, count: zero))
        }
        let positiveIndices = NativeBucket.indices(of: self.positiveSpans, available: positive.count)
        for position in positiveIndices.indices where !Self.isZero(positive[position]) {
            result.append(NativeBucket(index: positiveIndices[position], schema: schema, positive: true, count: positive[position]))
        }
        return result
    }

    private static func accumulate(_ deltas: [Int64]) -> [NativeBucket.Count] {
        var current: Int64 = 0
        return deltas.map { delta in
            current &+= delta
            return .integer(UInt64(bitPattern: current))
        }
    }

    private static func isZero(_ count: NativeBucket.Count) -> Bool {
        switch count {
        case .integer(let count): count == 0
        case .float(let count): count == 0
        }
    }
}

// The fractions 2^(i/256) / 2 for i in 0..<256: Prometheus' bound table for schema 8 (its tables for schemas
// 1...7 are every 2^(8-schema)-th entry of it). Some entries sit one ulp off the correctly rounded value
// (2^(128/256) / 2 is 0.7071067811865475, not 0.7071067811865476), so computing them would change the printed
// bounds; these are the table's values.
private let exponentialBoundFractions: [Double] = [
    0.5, 0.5013556375251013, 0.5027149505564014, 0.5040779490592088,
    0.5054446430258502, 0.5068150424757447, 0.5081891574554764, 0.509566998038869,
    0.5109485743270583, 0.5123338964485679, 0.5137229745593818, 0.5151158188430205,
    0.5165124395106142, 0.5179128468009786, 0.5193170509806894, 0.520725062344158,
    0.5221368912137069, 0.5235525479396449, 0.5249720429003435, 0.526395386502313,
    0.5278225891802786, 0.5292536613972564, 0.5306886136446309, 0.5321274564422321,
    0.5335702003384117, 0.5350168559101208, 0.5364674337629877, 0.5379219445313954,
    0.5393803988785598, 0.5408428074966075, 0.5423091811066545, 0.5437795304588847,
    0.5452538663326288, 0.5467321995364429, 0.5482145409081883, 0.549700901315111,
    0.5511912916539204, 0.5526857228508706, 0.5541842058618393, 0.5556867516724088,
    0.5571933712979462, 0.5587040757836845, 0.5602188762048033, 0.5617377836665098,
    0.5632608093041209, 0.564787964283144, 0.5663192597993595, 0.5678547070789026,
    0.5693943173783458, 0.5709381019847808, 0.572486072215902, 0.5740382394200894,
    0.5755946149764913, 0.5771552102951081, 0.5787200368168754, 0.5802891060137493,
    0.5818624293887887, 0.5834400184762408, 0.585021884841625, 0.5866080400818185,
    0.5881984958251406, 0.5897932637314379, 0.5913923554921704, 0.5929957828304968,
    0.5946035575013605, 0.5962156912915756, 0.5978321960199137, 0.5994530835371903,
    0.6010783657263515, 0.6027080545025619, 0.6043421618132907, 0.6059806996384005,
    0.6076236799902344, 0.6092711149137041, 0.6109230164863786, 0.6125793968185725,
    0.6142402680534349, 0.6159056423670379, 0.6175755319684665, 0.6192499490999082,
    0.620928906036742, 0.622612415087629, 0.6243004885946023, 0.6259931389331581,
    0.6276903785123455, 0.6293922197748583, 0.6310986751971253, 0.6328097572894031,
    0.6345254785958666, 0.6362458516947014, 0.637970889198196, 0.6397006037528346,
    0.6414350080393891, 0.6431741147730128, 0.6449179367033329, 0.6466664866145447,
    0.6484197773255048, 0.6501778216898253, 0.6519406325959679, 0.6537082229673385,
    0.6554806057623822, 0.6572577939746774, 0.659039800633032, 0.6608266388015788,
    0.6626183215798706, 0.6644148621029772, 0.6662162735415805, 0.6680225691020727,
    0.6698337620266515, 0.6716498655934177, 0.6734708931164728, 0.6752968579460171,
    0.6771277734684463, 0.6789636531064505, 0.6808045103191123, 0.6826503586020058,
    0.6845012114872953, 0.6863570825438342, 0.688217985377265, 0.690083933630119,
    0.6919549409819159, 0.6938310211492645, 0.6957121878859629, 0.6975984549830999,
    0.6994898362691555, 0.7013863456101023, 0.7032879969095076, 0.7051948041086352,
    0.7071067811865475, 0.7090239421602076, 0.7109463010845827, 0.7128738720527471,
    0.7148066691959849, 0.7167447066838943, 0.718687998724491, 0.7206365595643126,
    0.7225904034885232, 0.7245495448210174, 0.7265139979245261, 0.7284837772007218,
    0.7304588970903234, 0.7324393720732029, 0.7344252166684908, 0.7364164454346837,
    0.7384130729697496, 0.7404151139112358, 0.7424225829363761, 0.7444354947621984,
    0.7464538641456323, 0.7484777058836176, 0.7505070348132126, 0.7525418658117031,
    0.7545822137967112, 0.7566280937263048, 0.7586795205991071, 0.7607365094544071,
    0.762799075372269, 0.7648672334736434, 0.7669409989204777, 0.7690203869158282,
    0.7711054127039704, 0.7731960915705107, 0.7752924388424999, 0.7773944698885442,
    0.7795022001189185, 0.7816156449856788, 0.7837348199827764, 0.7858597406461707,
    0.7879904225539431, 0.7901268813264122, 0.7922691326262467, 0.7944171921585818,
    0.7965710756711334, 0.7987307989543135, 0.8008963778413465, 0.8030678282083853,
    0.805245165974627, 0.8074284071024302, 0.8096175675974316, 0.8118126635086642,
    0.8140137109286738, 0.8162207259936375, 0.8184337248834821, 0.820652723822003,
    0.8228777390769823, 0.8251087869603088, 0.8273458838280969, 0.8295890460808079,
    0.8318382901633681, 0.8340936325652911, 0.8363550898207981, 0.8386226785089391,
    0.8408964152537144, 0.8431763167241966, 0.8454623996346523, 0.8477546807446661,
    0.8500531768592616, 0.8523579048290255, 0.8546688815502312, 0.8569861239649629,
    0.8593096490612387, 0.8616394738731368, 0.8639756154809185, 0.8663180910111553,
    0.8686669176368529, 0.871022112577578, 0.8733836930995842, 0.8757516765159389,
    0.8781260801866495, 0.8805069215187917, 0.8828942179666361, 0.8852879870317771,
    0.8876882462632604, 0.890095013257712, 0.8925083056594671, 0.8949281411607002,
    0.8973545375015533, 0.8997875124702672, 0.9022270839033115, 0.9046732696855155,
    0.9071260877501991, 0.909585556079304, 0.9120516927035263, 0.9145245157024483,
    0.9170040432046711, 0.9194902933879467, 0.9219832844793128, 0.9244830347552253,
    0.9269895625416926, 0.92950288621441, 0.9320230241988943, 0.9345499949706191,
    0.9370838170551498, 0.93962450902828, 0.9421720895161669, 0.9447265771954693,
    0.9472879907934827, 0.9498563490882775, 0.9524316709088368, 0.9550139751351947,
    0.9576032806985735, 0.9601996065815236, 0.9628029718180622, 0.9654133954938133,
    0.9680308967461471, 0.9706554947643201, 0.9732872087896164, 0.9759260581154889,
    0.9785720620876999, 0.9812252401044634, 0.9838856116165875, 0.9865531961276168,
    0.9892280131939752, 0.9919100824251095, 0.9945994234836328, 0.9972960560854698,
]
