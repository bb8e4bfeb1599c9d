// Package app wires clearline together from a validated config: the store,
// the SIP gateway, and (as later parts arrive) screening, protection and the
// dashboard. The serve and demo commands both run an App, so what the demo
// shows is exactly what production runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/alert"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/guard"
	"github.com/clearline/clearline/internal/metrics"
	"github.com/clearline/clearline/internal/screenconfig"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/open"
	"github.com/clearline/clearline/internal/web"
)

// App is a running clearline.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Store   store.Store
	Gateway *gateway.Gateway
	Guard   *guard.Guard
	Alerts  *alert.Dispatcher
	// The dashboard (nil when [web] listen is empty), the metrics it
	// serves and its live feed.
	Web     *web.Server
	Metrics *metrics.Metrics
	Feed    *web.Feed

	udp        net.PacketConn
	closeRecog func()
	tcp        net.Listener
	webL       net.Listener
	pprofAddr  string // where [log] pprof is served, once Run has started it
}

// Options are the parts of an App that tests and the demo replace.
type Options struct {
	Events func(gateway.Event) // call timeline observer
	Now    func() time.Time
	// OnAssessment sees every detector verdict change (tests, dashboard).
	OnAssessment func(c *gateway.Call, a detect.Assessment)
}

// NewLogger builds the process logger from the log settings.
func NewLogger(c config.Log, w io.Writer) *slog.Logger {
	lvl := slog.LevelInfo
	_ = lvl.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Start opens the store, repairs the call log left by a killed process,
// binds the SIP sockets and builds the gateway. Run serves.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger, opt Options) (*App, error) {
	a := &App{Config: cfg, Log: log}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	st, err := open.Open(ctx, cfg.Store.DSN)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	st = a.observe(st)
	a.Store = st
	if n, err := st.RecoverInterruptedCalls(ctx, now()); err != nil {
		a.Close()
		return nil, fmt.Errorf("recover call log: %w", err)
	} else if n > 0 {
		log.Warn("calls left in progress by a previous run marked interrupted", "count", n)
	}
	for _, l := range cfg.Lines {
		if err := st.PutLine(ctx, store.Line{ID: l.ID, Name: l.Name, Postcode: l.Postcode, CreatedAt: now()}); err != nil {
			a.Close()
			return nil, fmt.Errorf("store line %s: %w", l.ID, err)
		}
	}

	if err := a.listen(cfg.SIP); err != nil {
		a.Close()
		return nil, err
	}

	host := cfg.SIP.Host
	if host == "" {
		host, _, _ = net.SplitHostPort(cfg.SIP.Listen)
	}
	gcfg := gateway.Config{
		Host:              host,
		Realm:             cfg.SIP.Realm,
		MediaIP:           netip.MustParseAddr(cfg.Media.IP),
		MediaPortMin:      cfg.Media.PortMin,
		MediaPortMax:      cfg.Media.PortMax,
		RTPTimeout:        cfg.Media.RTPTimeout.Duration,
		RingTimeout:       cfg.Media.RingTimeout.Duration,
		TransactionLinger: cfg.SIP.TransactionLinger.Duration,
		Emergency:         cfg.Emergency.Numbers,
		Trunk: gateway.Trunk{
			Address: cfg.Trunk.Address, Transport: cfg.Trunk.Transport, Domain: cfg.Trunk.Domain,
			AllowedSources: cfg.Trunk.AllowedSources,
			Username:       cfg.Trunk.Username, Password: cfg.Trunk.Password,
			Register: cfg.Trunk.Register, RegisterExpiry: cfg.Trunk.RegisterExpiry.Duration,
		},
	}
	for _, l := range cfg.Lines {
		gl := gateway.Line{ID: l.ID, Numbers: l.Numbers}
		for _, p := range l.Phones {
			gl.Phones = append(gl.Phones, gateway.PhoneAccount{Username: p.Username, Password: p.Password, Contact: p.Contact})
		}
		gcfg.Lines = append(gcfg.Lines, gl)
	}
	screener, lines, err := screenconfig.Build(ctx, cfg, logWriter{log})
	if err != nil {
		a.Close()
		return nil, err
	}
	if err := loadKeptLists(ctx, st, screener, lines); err != nil {
		a.Close()
		return nil, err
	}
	pols := policies(cfg.Lines)
	if err := applyLineSettings(ctx, st, lines, pols); err != nil {
		a.Close()
		return nil, err
	}
	if err := seedRecipients(ctx, st, cfg.Lines); err != nil {
		a.Close()
		return nil, err
	}
	a.Alerts = dispatcher(cfg.Alerts, st, log)
	rec, closeRecog, err := recognizer(cfg.Listening, log)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.closeRecog = closeRecog
	g, err := guard.New(guard.Config{Screener: screener, Lines: lines, Log: log, Now: now, ClearLine: clearLine(cfg),
		Listening: guard.Listening{Recognizer: rec, Store: st, Alerted: a.Alerts.Notify,
			SuspiciousDelay: cfg.Alerts.SuspiciousDelay.Duration, Policies: pols, OnAssessment: opt.OnAssessment},
		NameTime: cfg.Screening.ChallengeNameTime.Duration,
		OnListChange: func(lineID, kind, number, by string) {
			err := st.AddListEntry(context.Background(), store.ListEntry{LineID: lineID, Kind: kind, Number: number, AddedBy: by, CreatedAt: now()})
			if err != nil {
				log.Error("keep list change", "line", lineID, "list", kind, "error", err)
			}
		}})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Guard = g
	if err := a.startWeb(cfg, screener, lines, now); err != nil {
		a.Close()
		return nil, err
	}
	gopts := []gateway.Option{gateway.WithClock(now), gateway.WithHooks(g)}
	if opt.Events != nil {
		gopts = append(gopts, gateway.WithEvents(opt.Events))
	}
	if a.Gateway, err = gateway.New(gcfg, callLog{st}, log, gopts...); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// listen binds the SIP sockets: UDP and TCP share one port. With port 0
// (tests, the demo) a free UDP port is chosen and TCP takes the same
// number; if another program holds that TCP port, a new pair is tried.
func (a *App) listen(c config.SIP) error {
	_, port, _ := net.SplitHostPort(c.Listen)
	tries := 1
	if port == "0" {
		tries = 20
	}
	var err error
	for i := 0; i < tries; i++ {
		if err = a.listenOnce(c); err == nil {
			return nil
		}
		if a.udp != nil {
			a.udp.Close()
			a.udp = nil
		}
	}
	return err
}

func (a *App) listenOnce(c config.SIP) error {
	var err error
	for _, t := range c.Transports {
		switch t {
		case "udp":
			if a.udp, err = net.ListenPacket("udp", c.Listen); err != nil {
				return fmt.Errorf("listen sip udp %s: %w", c.Listen, err)
			}
		case "tcp":
			addr := c.Listen
			if a.udp != nil {
				addr = a.udp.LocalAddr().String() // same port as UDP
			}
			if a.tcp, err = net.Listen("tcp", addr); err != nil {
				return fmt.Errorf("listen sip tcp %s: %w", addr, err)
			}
		}
	}
	return nil
}

// SIPAddr is the bound SIP address (UDP if enabled, else TCP).
func (a *App) SIPAddr() string {
	if a.udp != nil {
		return a.udp.LocalAddr().String()
	}
	return a.tcp.Addr().String()
}

// Run serves until ctx ends, then hangs up all calls and closes the store.
func (a *App) Run(ctx context.Context) error {
	defer a.Close()
	actx, stopAlerts := context.WithCancel(ctx)
	alertsDone := make(chan struct{})
	go func() { defer close(alertsDone); a.Alerts.Run(actx) }()
	webDone := a.serveWeb(actx)
	if err := a.startPprof(actx, a.Config.Log.Pprof); err != nil {
		stopAlerts()
		<-alertsDone
		<-webDone
		return err
	}
	err := a.Gateway.Serve(ctx, a.udp, a.tcp)
	stopAlerts()
	<-alertsDone // the dispatcher and the dashboard stop before the store closes
	<-webDone
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Close releases everything Start opened.
func (a *App) Close() {
	if a.udp != nil {
		a.udp.Close()
	}
	if a.tcp != nil {
		a.tcp.Close()
	}
	if a.webL != nil {
		a.webL.Close()
	}
	if a.closeRecog != nil {
		a.closeRecog()
		a.closeRecog = nil
	}
	if a.Store != nil {
		a.Store.Close()
		a.Store = nil
	}
}

// logWriter turns import reports into log lines.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if l != "" {
			w.log.Info("list import", "report", strings.TrimSpace(l))
		}
	}
	return len(p), nil
}
