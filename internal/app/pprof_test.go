package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The profiler serves Go's profiles and the runtime counters the load
// benchmark divides by calls, and stops with the app.
func TestPprofServesProfilesAndRuntimeMetrics(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &App{Log: slog.New(slog.DiscardHandler)}
	if err := a.startPprof(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string, error) {
		res, err := http.Get("http://" + a.pprofAddr + path)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res.StatusCode, string(b), err
	}
	tests := []struct{ path, want string }{
		{"/debug/pprof/", "goroutine"},
		{"/debug/runtime-metrics", "/gc/heap/allocs:bytes "},
		{"/debug/runtime-metrics", "/sched/goroutines-created:goroutines "},
	}
	for _, tt := range tests {
		code, body, err := get(tt.path)
		if err != nil || code != http.StatusOK || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: %d %v, want 200 with %q; body starts %.200q", tt.path, code, err, tt.want, body)
		}
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, _, err := get("/debug/pprof/"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("profiler still serving after its context ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
