package app

import (
	"context"

	"github.com/clearline/clearline/internal/profiling"
)

// startPprof serves Go's profiler on [log] pprof (a loopback address,
// checked by config) until ctx ends. It is for measuring clearline under
// load; nothing else is served there.
func (a *App) startPprof(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	var err error
	a.pprofAddr, err = profiling.Start(ctx, addr, a.Log)
	return err
}
