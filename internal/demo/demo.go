// Package demo runs clearline on loopback between a simulated provider and
// a simulated phone (real SIP and RTP over 127.0.0.1, clearline itself
// unchanged) and prints a readable timeline of a few calls, so a newcomer can
// see what the gateway does. It exits by itself.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/clearline/clearline/internal/app"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/store"
)

const (
	lineNumber = "+441632960001"
	phoneUser  = "gran-phone"
	// Gran's daughter, a trusted contact.
	daughterNumber = "+442071838750"
	phonePass      = "demo-password-1"
)

// Run plays the demo, writing the timeline to out. Logs of the parts go to
// log (discard them for a clean timeline).
func Run(ctx context.Context, out io.Writer, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "clearline-demo-")
	if err != nil {
		return fmt.Errorf("demo: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	ports, err := freeUDPPorts(3)
	if err != nil {
		return fmt.Errorf("demo: ports: %w", err)
	}
	sipPort, providerPort, phonePort := ports[0], ports[1], ports[2]
	mediaBase := 30000 + (sipPort % 1000 * 20)

	cfg := config.Default()
	cfg.SIP.Listen = fmt.Sprintf("127.0.0.1:%d", sipPort)
	cfg.SIP.Transports = []string{"udp"}
	cfg.Media.PortMin, cfg.Media.PortMax = mediaBase, mediaBase+199
	cfg.Media.RingTimeout = config.Duration{Duration: 10 * time.Second}
	cfg.Trunk.Address = fmt.Sprintf("127.0.0.1:%d", providerPort)
	cfg.Trunk.AllowedSources = []string{"127.0.0.1"} // the provider's address
	cfg.Store.DSN = filepath.Join(dir, "demo.db")
	cfg.Lines = []config.Line{{ID: "gran", Name: "Gran's landline", Postcode: "AL1 3XY",
		Numbers: []string{lineNumber}, Phones: []config.Phone{{Username: phoneUser, Password: phonePass}},
		Trusted: []string{daughterNumber}}}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("demo: config: %w", err)
	}

	tl := &timeline{w: out, start: time.Now()}
	tl.title("clearline demo: a provider, clearline, and Gran's phone, all on 127.0.0.1")
	tl.note("clearline SIP on udp/%d, provider on udp/%d, phone on udp/%d, RTP ports %d-%d",
		sipPort, providerPort, phonePort, cfg.Media.PortMin, cfg.Media.PortMax)

	a, err := app.Start(ctx, cfg, log, app.Options{Events: tl.gatewayEvent})
	if err != nil {
		return fmt.Errorf("demo: start clearline: %w", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() { stop(); <-done }()

	provider, err := newPeer("provider", daughterNumber, "127.0.0.1", providerPort, 440, tl, log)
	if err != nil {
		return err
	}
	phone, err := newPeer("phone", phoneUser, "127.0.0.1", phonePort, 1000, tl, log)
	if err != nil {
		return err
	}
	if err := provider.serve(runCtx); err != nil {
		return fmt.Errorf("demo: provider: %w", err)
	}
	if err := phone.serve(runCtx); err != nil {
		return fmt.Errorf("demo: phone: %w", err)
	}
	clearline := sip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: sipPort}

	// Scene 0: the phone registers.
	tl.scene("Gran's phone registers to clearline (digest authentication)")
	go func() {
		_ = phone.dg.Register(runCtx, sip.Uri{Scheme: "sip", User: phoneUser, Host: "127.0.0.1", Port: sipPort},
			regOptions(phoneUser, phonePass))
	}()
	if err := waitFor(ctx, func() bool { return a.Gateway.Registered("gran") }); err != nil {
		return fmt.Errorf("demo: phone did not register: %w", err)
	}
	tl.say("clearline", "phone %s registered for line gran", phoneUser)

	// Scene 1: an inbound call, hung up by the caller.
	tl.scene("Gran's daughter (a trusted contact) rings; she hangs up")
	target := clearline
	target.User = lineNumber
	if _, level, err := provider.call(ctx, target, "", "", 2*time.Second); err != nil {
		return fmt.Errorf("demo: inbound call: %w", err)
	} else {
		tl.say("provider", "heard the phone's 1 kHz tone at %.0f dBFS, hangs up", level)
	}
	if in, err := next(ctx, phone.incoming); err == nil {
		tl.say("phone", "line cleared %s after the caller's BYE", "at once")
		_ = in
	}

	// Scene 2: an outbound call.
	tl.scene("Gran rings her GP surgery (01632 960 002); Gran hangs up")
	target = clearline
	target.User = "01632960002"
	if setup, level, err := phone.call(ctx, target, phoneUser, phonePass, 2*time.Second); err != nil {
		return fmt.Errorf("demo: outbound call: %w", err)
	} else {
		tl.say("phone", "call set up in %s, heard the provider's 440 Hz tone at %.0f dBFS, hangs up", setup.Round(time.Millisecond), level)
	}
	if _, err := next(ctx, provider.incoming); err != nil {
		return err
	}

	// Scene 3: emergency call.
	tl.scene("Gran dials 999: straight to the provider, no screening, no prompt, no delay")
	target = clearline
	target.User = "999"
	if setup, _, err := phone.call(ctx, target, phoneUser, phonePass, time.Second); err != nil {
		return fmt.Errorf("demo: emergency call: %w", err)
	} else {
		tl.say("phone", "999 answered %s after dialling", setup.Round(time.Millisecond))
	}
	if _, err := next(ctx, provider.incoming); err != nil {
		return err
	}

	// Scene 4: a spoofed caller ID.
	tl.scene("A fraudster rings presenting 101 (the police non-emergency number) as caller ID")
	fraudPorts, err := freeUDPPorts(1)
	if err != nil {
		return err
	}
	fraudster, err := newPeer("provider", "101", "127.0.0.1", fraudPorts[0], 300, tl, log)
	if err != nil {
		return err
	}
	if err := fraudster.serve(runCtx); err != nil {
		return err
	}
	target = clearline
	target.User = lineNumber
	if _, _, err := fraudster.call(ctx, target, "", "", time.Second); err != nil {
		tl.say("provider", "call from \"101\" refused before the phone rang: %v", shortErr(err))
	}

	// Scene 5: busy.
	tl.scene("The provider rings again but Gran's phone is busy")
	phone.mu.Lock()
	phone.answer = false
	phone.mu.Unlock()
	target = clearline
	target.User = lineNumber
	if _, _, err := provider.call(ctx, target, "", "", time.Second); err != nil {
		tl.say("provider", "call refused: %v", shortErr(err))
	}
	if _, err := next(ctx, phone.incoming); err != nil {
		return err
	}

	// Scene 5: a stranger that is not the provider.
	tl.scene("Someone who is not the provider (127.0.0.2) sends an INVITE straight to clearline")
	stranger, err := newPeer("stranger", daughterNumber, "127.0.0.2", fraudPorts[0], 300, tl, log)
	if err != nil {
		return err
	}
	if err := stranger.serve(runCtx); err != nil {
		return err
	}
	target = clearline
	target.User = lineNumber
	if _, _, err := stranger.call(ctx, target, "", "", time.Second); err != nil {
		tl.say("stranger", "refused: %v", shortErr(err))
	}

	time.Sleep(200 * time.Millisecond)
	tl.scene("The call log clearline stored")
	calls, err := a.Store.ListCalls(ctx, store.CallFilter{Limit: 20})
	if err != nil {
		return fmt.Errorf("demo: read call log: %w", err)
	}
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		dur := "-"
		if c.AnsweredAt != nil && c.EndedAt != nil {
			dur = c.EndedAt.Sub(*c.AnsweredAt).Round(100 * time.Millisecond).String()
		}
		em := ""
		if c.Emergency {
			em = "  EMERGENCY"
		}
		fmt.Fprintf(out, "  %-8s %-14s -> %-14s %-10s talk %-6s hung up by %s%s\n",
			c.Direction, c.From, c.To, c.Outcome, dur, orDash(c.HangupBy), em)
		if c.Decision != "" && len(c.Reasons) > 0 {
			fmt.Fprintf(out, "           screening: %s, because %s\n", c.Decision, c.Reasons[len(c.Reasons)-1])
		}
	}
	tl.title("demo finished")
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s
}

func next(ctx context.Context, ch chan *incomingCall) (*incomingCall, error) {
	select {
	case c := <-ch:
		return c, nil
	case <-time.After(15 * time.Second):
		return nil, fmt.Errorf("demo: expected call did not arrive")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func waitFor(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-t.C:
		case <-deadline:
			return fmt.Errorf("timed out")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func freeUDPPorts(n int) ([]int, error) {
	var conns []net.PacketConn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
		ports = append(ports, c.LocalAddr().(*net.UDPAddr).Port)
	}
	return ports, nil
}

// timeline prints what happens with times relative to the start.
type timeline struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

func (t *timeline) title(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "\n== %s ==\n", s)
}

func (t *timeline) scene(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "\n-- %s\n", s)
}

func (t *timeline) note(format string, a ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "   %s\n", fmt.Sprintf(format, a...))
}

func (t *timeline) say(who, format string, a ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "%8.3fs  %-10s %s\n", time.Since(t.start).Seconds(), who, fmt.Sprintf(format, a...))
}

func (t *timeline) gatewayEvent(e gateway.Event) {
	id := e.CallID
	if len(id) > 8 {
		id = id[:8]
	}
	msg := e.What
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	t.say("clearline", "[call %s] %s", id, msg)
}
