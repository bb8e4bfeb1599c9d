// Package profiling serves what a load test reads off a running process:
// Go's profiles (net/http/pprof) and the runtime's counters as plain text.
// clearline serves it on [log] pprof; bench/sipload's sipgob2bua serves the
// same, so the bench measures both the same way.
package profiling

import (
	"fmt"
	"math"
	"net/http"
	"net/http/pprof"
	"runtime/metrics"
)

// Handler serves /debug/pprof/... and /debug/runtime-metrics.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/runtime-metrics", runtimeMetrics)
	return mux
}

// runtimeMetrics writes every scalar runtime/metrics value as "name value"
// lines (e.g. /gc/heap/allocs:bytes, /sched/goroutines-created:goroutines),
// so a load test can take the difference over a run and divide by calls.
func runtimeMetrics(w http.ResponseWriter, _ *http.Request) {
	descs := metrics.All()
	samples := make([]metrics.Sample, len(descs))
	for i, d := range descs {
		samples[i].Name = d.Name
	}
	metrics.Read(samples)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			fmt.Fprintf(w, "%s %d\n", s.Name, s.Value.Uint64())
		case metrics.KindFloat64:
			if v := s.Value.Float64(); !math.IsNaN(v) && !math.IsInf(v, 0) {
				fmt.Fprintf(w, "%s %g\n", s.Name, v)
			}
		}
	}
}
