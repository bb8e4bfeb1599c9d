package e2e

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/app"
	"github.com/clearline/clearline/internal/app/apptest"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

const (
	lineNumber = "+441632960001"
	phoneUser  = "mum-phone"
	phonePass  = "correct-horse-battery"
	// A number presented by an ordinary caller (valid UK geographic number).
	callerNumber = "+442071838750"
)

// mediaBlock hands each test its own RTP port range above Linux's ephemeral
// range (where SIPp's and the harness's free ports come from) and below
// baresip's 20000-32767.
var mediaBlock atomic.Int32

// env is one running clearline with a registered baresip phone.
type env struct {
	t      *testing.T
	ctx    context.Context
	app    *app.App
	cfg    config.Config
	phone  *testpeer.Baresip
	events *eventLog
	logs   *apptest.Log
}

type envOptions struct {
	trunk      string        // host:port of the provider UAS for outbound calls
	rtpTimeout time.Duration // default 30s
	ringTime   time.Duration // default 15s
	phone      testpeer.BaresipOptions
	noPhone    bool
	// Credentials towards the provider, and whether to register.
	trunkUser, trunkPass string
	register             bool
	// configure edits the config before clearline starts.
	configure func(*config.Config)
	// onAssessment sees the detector's verdict changes.
	onAssessment func(*gateway.Call, detect.Assessment)
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	testpeer.Require(t, "sipp", "baresip", "sox")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)

	base := 61000 + int(mediaBlock.Add(1)%40)*100 + (os.Getpid()%4)*4000
	if base+99 > 65000 {
		base = 61000 + int(mediaBlock.Load()%40)*100
	}
	cfg := config.Default()
	cfg.SIP.Listen = "127.0.0.1:0"
	cfg.Media.PortMin, cfg.Media.PortMax = base, base+99
	cfg.Media.RingTimeout = config.Duration{Duration: 15 * time.Second}
	cfg.Media.RTPTimeout = config.Duration{Duration: 30 * time.Second}
	if o.ringTime > 0 {
		cfg.Media.RingTimeout = config.Duration{Duration: o.ringTime}
	}
	if o.rtpTimeout > 0 {
		cfg.Media.RTPTimeout = config.Duration{Duration: o.rtpTimeout}
	}
	cfg.Trunk.Address = o.trunk
	if cfg.Trunk.Address == "" {
		cfg.Trunk.Address = "127.0.0.1:9" // discard: no outbound calls in this test
	}
	cfg.Trunk.AllowedSources = []string{"127.0.0.1"}
	cfg.Trunk.Username, cfg.Trunk.Password, cfg.Trunk.Register = o.trunkUser, o.trunkPass, o.register
	cfg.Store.DSN = filepath.Join(t.TempDir(), "clearline.db")
	cfg.Log.Level = "debug"
	cfg.Lines = []config.Line{{ID: "mum", Name: "Mum", Postcode: "AL1 3XY", Numbers: []string{lineNumber},
		Phones:  []config.Phone{{Username: phoneUser, Password: phonePass}},
		Trusted: []string{callerNumber}}}
	if o.configure != nil {
		o.configure(&cfg)
	} else {
		cfg.Listening.Recognizer = "off" // only the listening tests load the recogniser
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}

	e := &env{t: t, ctx: ctx, cfg: cfg, events: &eventLog{}}
	a, logs := apptest.Start(ctx, t, cfg, slog.LevelDebug, app.Options{Events: e.events.add, OnAssessment: o.onAssessment})
	e.app, e.logs = a, logs

	if !o.noPhone {
		po := o.phone
		po.Registrar = a.SIPAddr()
		po.User, po.Password = phoneUser, phonePass
		if po.Password == "" {
			po.Password = phonePass
		}
		ph, err := testpeer.StartBaresip(ctx, t, po)
		if err != nil {
			t.Fatalf("start baresip: %v", err)
		}
		e.phone = ph
		if err := ph.WaitRegistered(ctx); err != nil {
			t.Fatalf("phone did not register: %v", err)
		}
	}
	return e
}

// sipAddr is clearline's SIP address.
func (e *env) sipAddr() string { return e.app.SIPAddr() }

// calls returns the call log, newest first.
func (e *env) calls() []store.Call {
	e.t.Helper()
	cs, err := e.app.Store.ListCalls(context.Background(), store.CallFilter{Limit: 50})
	if err != nil {
		e.t.Fatalf("list calls: %v", err)
	}
	return cs
}

// waitCall waits until the call log holds a finished call matching pred.
func (e *env) waitCall(pred func(store.Call) bool) store.Call {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range e.calls() {
			if c.Outcome != "in-progress" && c.Outcome != "answered" && pred(c) {
				return c
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("no finished call matching; call log: %+v", e.calls())
	return store.Call{}
}

// wav writes pcm as an 8 kHz WAV in the test's temp dir.
func wav(t *testing.T, name string, pcm []int16) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := testpeer.WriteWAV(p, pcm, testpeer.PhoneRate); err != nil {
		t.Fatal(err)
	}
	return p
}

// eventLog collects gateway events.
type eventLog struct {
	mu  sync.Mutex
	evs []gateway.Event
}

func (l *eventLog) add(e gateway.Event) {
	l.mu.Lock()
	l.evs = append(l.evs, e)
	l.mu.Unlock()
}

func (l *eventLog) find(what string) (gateway.Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.evs {
		if e.What == what {
			return e, true
		}
	}
	return gateway.Event{}, false
}

// canCapture reports whether SIPp's received RTP can be captured (tcpdump
// needs root). CI runs as root with tcpdump installed.
func canCapture() bool {
	if os.Geteuid() != 0 {
		return false
	}
	_, err := exec.LookPath("tcpdump")
	return err == nil
}
