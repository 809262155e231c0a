// Command gopusher pushes a fixed set of metrics to a Pushgateway with client_golang's push package, so the
// interop suite can check what a real Go client sends. It exits 0 when the push (or delete) succeeded as
// client_golang sees it (push: 200 or 202; delete: 202 only) and 1 with the client's error otherwise.
//
// Usage:
//
//	gopusher -gateway http://127.0.0.1:9091 -job batch -grouping instance=host/1 -method push -set full
//	  [-format text] [-basic-auth user:password]
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	"github.com/prometheus/common/expfmt"
)

// groupingFlags collects repeated -grouping name=value flags in order.
type groupingFlags [][2]string

func (g *groupingFlags) String() string { return fmt.Sprint(*g) }

func (g *groupingFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("grouping %q is not name=value", s)
	}
	*g = append(*g, [2]string{name, value})
	return nil
}

// PathValues are the label values of interop_go_requests_total: a slash, quotes, a newline, a backslash and
// non-ASCII text, each with its own count, so the suite can tell them apart after the round trip.
var pathValues = []struct {
	value string
	count float64
}{
	{"/api/v1/push", 1},
	{`say "hi"`, 2},
	{"line1\nline2", 3},
	{`C:\temp`, 4},
	{"Προμηθεύς ✓", 5},
}

// fullSet registers every kind of metric the suite checks.
func fullSet(registry *prometheus.Registry) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "interop_go_requests_total",
		Help: `Requests by path, with "quotes" and a \ backslash.`,
	}, []string{"path"})
	registry.MustRegister(requests)
	for _, p := range pathValues {
		requests.WithLabelValues(p.value).Add(p.count)
	}

	exemplarCounter := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "interop_go_exemplar_total",
		Help: "A counter carrying an exemplar.",
	})
	registry.MustRegister(exemplarCounter)
	exemplarCounter.(prometheus.ExemplarAdder).AddWithExemplar(7, prometheus.Labels{"trace_id": "4bf92f3577b34da6"})

	temperature := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "interop_go_temperature_celsius",
		Help: "A gauge.",
	})
	registry.MustRegister(temperature)
	temperature.Set(-12.5)

	latency := prometheus.NewSummary(prometheus.SummaryOpts{
		Name:       "interop_go_latency_seconds",
		Help:       "A summary.",
		Objectives: map[float64]float64{0.5: 0.05, 0.9: 0.01},
	})
	registry.MustRegister(latency)
	for i := 1; i <= 10; i++ {
		latency.Observe(float64(i))
	}

	duration := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:                        "interop_go_duration_seconds",
		Help:                        "A classic and native histogram.",
		Buckets:                     []float64{0.1, 0.5, 1, 5},
		NativeHistogramBucketFactor: 1.1,
	})
	registry.MustRegister(duration)
	// Binary fractions, so the sum is exact: 11.3125.
	for _, v := range []float64{0.0625, 0.25, 0.75, 2} {
		duration.Observe(v)
	}
	observer := duration.(prometheus.ExemplarObserver)
	observer.ObserveWithExemplar(0.25, prometheus.Labels{"trace_id": "bucket-0.5"})
	observer.ObserveWithExemplar(8, prometheus.Labels{"trace_id": "bucket-inf"})
}

// updateSet registers a changed gauge and a new counter, for Add and replacing Push.
func updateSet(registry *prometheus.Registry) {
	temperature := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "interop_go_temperature_celsius",
		Help: "A gauge.",
	})
	registry.MustRegister(temperature)
	temperature.Set(21.25)

	updates := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "interop_go_updates_total",
		Help: "Pushed by the update set only.",
	})
	registry.MustRegister(updates)
	updates.Inc()
}

func main() {
	gateway := flag.String("gateway", "http://127.0.0.1:9091", "Pushgateway URL")
	job := flag.String("job", "gopusher", "job name")
	method := flag.String("method", "push", "push (PUT), add (POST) or delete (DELETE)")
	set := flag.String("set", "full", "metrics to push: full or update")
	format := flag.String("format", "protobuf", "body format: protobuf (client_golang's default) or text")
	basicAuth := flag.String("basic-auth", "", "user:password for Pusher.BasicAuth (empty: none)")
	var grouping groupingFlags
	flag.Var(&grouping, "grouping", "grouping label name=value (repeatable)")
	flag.Parse()

	registry := prometheus.NewRegistry()
	switch *set {
	case "full":
		fullSet(registry)
	case "update":
		updateSet(registry)
	default:
		fmt.Fprintf(os.Stderr, "unknown set %q\n", *set)
		os.Exit(2)
	}

	pusher := push.New(*gateway, *job).Gatherer(registry)
	if user, password, ok := strings.Cut(*basicAuth, ":"); ok {
		pusher = pusher.BasicAuth(user, password)
	}
	for _, g := range grouping {
		pusher = pusher.Grouping(g[0], g[1])
	}
	switch *format {
	case "protobuf":
	case "text":
		pusher = pusher.Format(expfmt.FmtText)
	default:
		fmt.Fprintf(os.Stderr, "unknown format %q\n", *format)
		os.Exit(2)
	}

	var err error
	switch *method {
	case "push":
		err = pusher.Push()
	case "add":
		err = pusher.Add()
	case "delete":
		err = pusher.Delete()
	default:
		fmt.Fprintf(os.Stderr, "unknown method %q\n", *method)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
