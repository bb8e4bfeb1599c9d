package app

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/guard"
	"github.com/clearline/clearline/internal/metrics"
	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/web"
)

// observe wraps the store so every call outcome, screening decision,
// verdict and alert is counted, and every recorded incident reaches the
// dashboard's live feed.
func (a *App) observe(st store.Store) store.Store {
	a.Metrics = metrics.New()
	a.Feed = web.NewFeed()
	feed := a.Feed
	return a.Metrics.Store(st, func(inc store.Incident) { feed.Publish(web.IncidentEvent(inc)) })
}

// applyLineSettings applies the policy carers changed in the dashboard
// (kept in the store) over the config file's, before the first call.
func applyLineSettings(ctx context.Context, st store.Store, lines map[string]*screen.Line, pols map[string]guard.LinePolicy) error {
	for id, l := range lines {
		ls, err := st.GetLineSettings(ctx, id)
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("load dashboard settings of line %s: %w", id, err)
		}
		p := l.Policy()
		if p.UnknownAction, err = screen.ParseAction(ls.UnknownCallers); err != nil {
			return fmt.Errorf("line %s dashboard settings: %w", id, err)
		}
		if p.AnonymousAction, err = screen.ParseAction(ls.WithheldCallers); err != nil {
			return fmt.Errorf("line %s dashboard settings: %w", id, err)
		}
		p.QuietHours = screen.QuietHours{}
		if ls.QuietHours != "" {
			if p.QuietHours, err = screen.ParseQuietHours(ls.QuietHours, time.Local); err != nil {
				return fmt.Errorf("line %s dashboard settings: %w", id, err)
			}
		}
		if err := l.SetPolicy(p); err != nil {
			return err
		}
		if pol, ok := pols[id]; ok && ls.OnScam != "" {
			pol.OnScam = ls.OnScam
			pols[id] = pol
		}
	}
	return nil
}

// startWeb builds the dashboard and binds its listener when [web] listen
// is set.
func (a *App) startWeb(cfg config.Config, s *screen.Screener, lines map[string]*screen.Line, now func() time.Time) error {
	if cfg.Web.Listen == "" {
		return nil
	}
	onScam := map[string]string{}
	for _, l := range cfg.Lines {
		onScam[l.ID] = l.OnScam
	}
	w, err := web.New(web.Config{Store: a.Store, Lines: lines, Parser: s.Parser(), Location: time.Local, Log: a.Log.With("part", "web"),
		Now: now, Feed: a.Feed, Metrics: a.Metrics.Handler(), CookieSecure: cfg.Web.CookieSecure, OnScam: onScam,
		OnScamChanged: a.Guard.SetOnScam})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", cfg.Web.Listen)
	if err != nil {
		return fmt.Errorf("listen web %s: %w", cfg.Web.Listen, err)
	}
	a.Web, a.webL = w, l
	a.Log.Info("dashboard listening", "addr", l.Addr().String())
	return nil
}

// WebAddr is the dashboard's bound address ("" when off).
func (a *App) WebAddr() string {
	if a.webL == nil {
		return ""
	}
	return a.webL.Addr().String()
}

// serveWeb serves the dashboard until ctx ends; the returned channel
// closes when it has stopped.
func (a *App) serveWeb(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if a.Web == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		if err := a.Web.Serve(ctx, a.webL); err != nil {
			a.Log.Error("dashboard stopped", "error", err)
		}
	}()
	return done
}
