// Package democmd implements 'clearline demo'.
package democmd

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"github.com/clearline/clearline/internal/cli"
	"github.com/clearline/clearline/internal/demo"
)

// Run runs 'clearline demo': clearline between a simulated provider and a
// simulated phone on loopback, printing a timeline; it exits by itself.
func Run(ctx context.Context, args []string, stdio cli.IO) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	verbose := fs.Bool("v", false, "also print clearline's and the peers' logs")
	if err := fs.Parse(args); err != nil {
		return cli.Usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return cli.Usagef("demo takes no arguments")
	}
	var logw io.Writer = io.Discard
	if *verbose {
		logw = stdio.Err
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return demo.Run(ctx, stdio.Out, log)
}
