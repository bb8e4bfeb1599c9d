// Package apptest runs clearline in-process for the tests that drive it
// from outside with real peers: the end-to-end tests, the dashboard's
// browser test and the listening benchmark.
package apptest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/app"
	"github.com/clearline/clearline/internal/config"
)

// Start starts clearline with cfg, logging at level into the returned Log,
// and runs it until the test ends. Then it stops it and fails the test if
// clearline returns an error or does not stop within 15 s; when the test
// failed, it prints the end of clearline's log.
func Start(ctx context.Context, t *testing.T, cfg config.Config, level slog.Level, opts app.Options) (*app.App, *Log) {
	t.Helper()
	logs := &Log{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))
	a, err := app.Start(ctx, cfg, log, opts)
	if err != nil {
		t.Fatalf("start clearline: %v", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("clearline run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("clearline did not stop within 15s")
		}
		if t.Failed() {
			t.Logf("clearline log (end):\n%s", logs.Tail(256<<10))
		}
	})
	return a, logs
}

// Log keeps what clearline logs, for every goroutine at once, up to 4 MB.
type Log struct {
	mu sync.Mutex
	b  []byte
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.b) < 4<<20 {
		l.b = append(l.b, p...)
	}
	return len(p), nil
}

// String is everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

// Tail is the last n bytes logged.
func (l *Log) Tail(n int) string {
	s := l.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
