// Package profiling serves what a load test reads off a running process:
// Go's profiles (net/http/pprof) and the runtime's counters as plain text.
// clearline serves it on [log] pprof, and bench/sipload's Go bounds
// (sipgob2bua, minb2bua) serve the same, so the bench measures them alike.
package profiling

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/metrics"
	"time"
)

// handler serves /debug/pprof/... and /debug/runtime-metrics.
func handler() http.Handler {
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

// Start serves /debug/pprof/... and /debug/runtime-metrics on addr (a loopback address: nothing here is
// authenticated) until ctx ends, and returns the address it listens on.
func Start(ctx context.Context, addr string, log *slog.Logger) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen pprof %s: %w", addr, err)
	}
	srv := &http.Server{Handler: handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof stopped", "error", err)
		}
	}()
	log.Info("profiler listening", "addr", l.Addr().String())
	return l.Addr().String(), nil
}
