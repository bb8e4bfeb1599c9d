// Package servecmd implements 'clearline serve': run the gateway from a
// config file until interrupted.
package servecmd

import (
	"context"
	"flag"

	"github.com/clearline/clearline/internal/app"
	"github.com/clearline/clearline/internal/cli"
	"github.com/clearline/clearline/internal/config"
)

// Run runs 'clearline serve --config FILE'.
func Run(ctx context.Context, args []string, io cli.IO) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Err)
	path := fs.String("config", "", "configuration file (TOML); see examples/clearline.toml. Without it clearline runs on loopback defaults with SQLite")
	if err := fs.Parse(args); err != nil {
		return cli.Usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return cli.Usagef("unexpected argument %q", fs.Arg(0))
	}
	if *path == "" {
		*path = io.Getenv("CLEARLINE_CONFIG")
	}
	cfg, err := config.Load(*path, io.Getenv)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.Log, io.Err)
	a, err := app.Start(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	log.Info("clearline serving", "sip", a.SIPAddr(), "store", cfg.Store.DSN, "lines", len(cfg.Lines))
	return a.Run(ctx)
}
