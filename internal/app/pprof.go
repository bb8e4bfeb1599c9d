package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/clearline/clearline/internal/profiling"
)

// startPprof serves Go's profiler on [log] pprof (a loopback address,
// checked by config) until ctx ends. It is for measuring clearline under
// load; nothing else is served there.
func (a *App) startPprof(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen pprof %s: %w", addr, err)
	}
	a.pprofAddr = l.Addr().String()
	srv := &http.Server{Handler: profiling.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("pprof stopped", "error", err)
		}
	}()
	a.Log.Info("profiler listening", "addr", l.Addr().String())
	return nil
}
