package e2e

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/prompts"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// The clear line while the risky call is STILL UP: the case the police
// warn about. A stranger rings and the kitchen phone answers; the
// stranger never hangs up. The person picks up the hall phone (a second
// handset on the same line) and dials 101 or 999.

// The hall phone: a second handset registered to the protected line.
const (
	hallUser = "mum-hall-phone"
	hallPass = "staple-battery-horse"
)

// stillUpConfig is clearLineConfig with the hall phone added to the line.
func stillUpConfig(r *receivers) func(*config.Config) {
	base := clearLineConfig(r)
	return func(c *config.Config) {
		base(c)
		c.Lines[0].Phones = append(c.Lines[0].Phones, config.Phone{Username: hallUser, Password: hallPass})
	}
}

// strangerStaysOn places an unknown caller's call (SIPp, which never hangs
// up: it waits for a BYE) to the line, waits until the kitchen phone
// (e.phone) has answered and hears the stranger, and returns the caller
// and the call's call-log row (screened: put through as an unknown caller).
func strangerStaysOn(t *testing.T, e *env) (*testpeer.Sipp, store.Call) {
	t.Helper()
	caller, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call_wait_bye.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: strangerNumber,
		Audio: wav(t, "stranger.wav", testpeer.Tone([]float64{440}, 40*time.Second)), Timeout: 60 * time.Second, RecvTimeout: 50 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("the kitchen phone did not answer the stranger: %v", err)
	}
	if err := e.phone.WaitRecorded(e.ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	var row store.Call
	for _, c := range e.calls() {
		if c.Direction == "inbound" {
			row = c
		}
	}
	if row.Decision != "allow" || !anyContains(row.Reasons, "not a trusted contact") || row.EndedAt != nil {
		t.Fatalf("the stranger's call is not up as an unknown caller put through: %+v", row)
	}
	return caller, row
}

// pickUpHallPhone registers the hall phone and returns it. It registers
// only once the stranger's call is up: clearline rings every registered
// handset of a line, and the stranger's call must ring the kitchen phone
// alone.
func pickUpHallPhone(t *testing.T, e *env) *testpeer.Baresip {
	t.Helper()
	hall, err := testpeer.StartBaresip(e.ctx, t, testpeer.BaresipOptions{
		Registrar: e.sipAddr(), User: hallUser, Password: hallPass, Record: true,
	})
	if err != nil {
		t.Fatalf("start the hall phone: %v", err)
	}
	if err := hall.WaitRegistered(e.ctx); err != nil {
		t.Fatalf("the hall phone did not register: %v", err)
	}
	return hall
}

// on returns a copy of e whose phone is ph, so the env's dialling helpers
// (dialAndRecord, dialAnnounced) dial from that handset.
func (e *env) on(ph *testpeer.Baresip) *env {
	c := *e
	c.phone = ph
	return &c
}

// heldMediaPorts returns the RTP ports of clearline's media range that
// are held (their RTP or RTCP port cannot be bound on 127.0.0.1): the
// ports of its open media legs. Binding a port clearline is about to open
// only makes clearline skip to the next one.
func heldMediaPorts(cfg config.Config) []int {
	bindable := func(port int) bool {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	var held []int
	for p := cfg.Media.PortMin + cfg.Media.PortMin&1; p+1 <= cfg.Media.PortMax; p += 2 {
		if !bindable(p) || !bindable(p+1) {
			held = append(held, p)
		}
	}
	return held
}

// wait polls the gateway's events until one named what exists, or ctx ends.
func (l *eventLog) wait(ctx context.Context, what string) (time.Time, error) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if ev, ok := l.find(what); ok {
			return ev.At, nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("no %q event: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// portsProbe is what heldMediaPorts saw once clearline started the
// new-call announcement.
type portsProbe struct {
	held []int
	at   time.Time
	err  error
}

// probePortsAtAnnouncement probes clearline's media ports as soon as it
// begins the new-call announcement (event "before-connect"), i.e. after it
// says the earlier call is over and before the provider is dialled.
func probePortsAtAnnouncement(e *env) <-chan portsProbe {
	out := make(chan portsProbe, 1)
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	go func() {
		defer cancel()
		if _, err := e.events.wait(ctx, "before-connect"); err != nil {
			out <- portsProbe{err: err}
			return
		}
		out <- portsProbe{held: heldMediaPorts(e.cfg), at: time.Now()}
	}()
	return out
}

// receivedAt returns when a SIPp peer first received a request with
// method (and, when uriUser is set, that Request-URI user).
func receivedAt(res *testpeer.SippResult, method, uriUser string) (time.Time, bool) {
	for _, m := range res.Messages {
		if m.Dir != testpeer.Received || m.Method != method {
			continue
		}
		user, _, _ := strings.Cut(strings.TrimPrefix(m.RequestURI, "sip:"), "@")
		if uriUser == "" || user == uriUser {
			return m.Time, true
		}
	}
	return time.Time{}, false
}

// sdpPortFromClearline is the audio port in clearline's 200 OK to a SIPp
// caller: the media port of the caller's leg.
func sdpPortFromClearline(res *testpeer.SippResult) int {
	for _, m := range res.Messages {
		if m.Dir == testpeer.Received && m.StatusCode == 200 && m.CSeqMethod() == "INVITE" {
			if a, ok := testpeer.ParseSDPAudio(m.Body); ok {
				return a.Port
			}
		}
	}
	return 0
}

// The stranger is still on the kitchen phone when the person dials 101
// from the hall phone. Before the 101 call reaches the provider, clearline
// ends the stranger's call (the stranger gets a BYE, so does the kitchen
// phone) and its media ports are closed; the hall phone hears "This is a
// new call. Your previous call has ended." and only then the real 101.
// The call log shows the stranger's call ended by clearline and the 101
// call as an outbound clear-line call; the family is told.
func TestClearLineStillUpEndsRiskyCallBefore101(t *testing.T) {
	rcv := startReceivers(t)
	tone := wav(t, "far.wav", testpeer.Tone([]float64{farEndHz}, 20*time.Second))
	provider, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", Audio: tone, Timeout: 90 * time.Second, RecvTimeout: 60 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: provider.Addr(), phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}, configure: stillUpConfig(rcv)})
	kitchen := e.phone
	stranger, risky := strangerStaysOn(t, e)
	strangerPorts := heldMediaPorts(e.cfg)
	if len(strangerPorts) != 2 {
		t.Fatalf("want the stranger's call on two media legs, clearline holds ports %v", strangerPorts)
	}
	hall := pickUpHallPhone(t, e)

	probe := probePortsAtAnnouncement(e)
	dialAnnounced(t, e.on(hall), "101")

	// The stranger and the kitchen phone were sent BYE by clearline.
	if _, err := kitchen.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("the kitchen phone's leg of the stranger's call was not closed: %v", err)
	}
	sres, err := stranger.Wait(e.ctx)
	if err != nil || !sres.OK() {
		t.Fatalf("the stranger's leg did not get a BYE and end: %v %s", err, sres.Summary())
	}
	pres, err := provider.Wait(e.ctx)
	if err != nil || !pres.OK() {
		t.Fatalf("provider: %v %s", err, pres.Summary())
	}
	byeAt, ok1 := receivedAt(sres, "BYE", "")
	inviteAt, ok2 := receivedAt(pres, "INVITE", "101")
	if !ok1 || !ok2 {
		t.Fatalf("stranger got BYE: %v; provider got INVITE for 101: %v\n%s\n%s", ok1, ok2, sres.Summary(), pres.Summary())
	}
	t.Logf("stranger got BYE %v before the provider got the INVITE for 101", inviteAt.Sub(byeAt))
	if !byeAt.Before(inviteAt) {
		t.Errorf("the provider got the 101 INVITE at %v, before the stranger's BYE at %v", inviteAt, byeAt)
	}

	// The stranger's media ports were closed before the 101 call went out.
	p := <-probe
	if p.err != nil {
		t.Fatal(p.err)
	}
	if port := sdpPortFromClearline(sres); !slices.Contains(strangerPorts, port) {
		t.Errorf("the stranger's leg port %d (from clearline's 200 OK) is not among the held ports %v", port, strangerPorts)
	}
	for _, port := range strangerPorts {
		if slices.Contains(p.held, port) {
			t.Errorf("media port %d of the stranger's call still open during the new-call announcement (held: %v)", port, p.held)
		}
	}
	if !p.at.Before(inviteAt) {
		t.Errorf("ports probed at %v, after the provider got the 101 INVITE (%v)", p.at, inviteAt)
	}

	// The call log and the gateway's account of it.
	old := e.waitCall(func(c store.Call) bool { return c.ID == risky.ID })
	ver := e.waitCall(func(c store.Call) bool { return c.To == "101" })
	if old.HangupBy != "clearline" || old.EndReason != "line cleared for a new call" || old.Outcome != "completed" || old.EndedAt == nil {
		t.Errorf("the stranger's call is not logged as ended by clearline: %+v", old)
	}
	if ver.Direction != "outbound" || ver.Decision != "clear-line" || !anyContains(ver.Reasons, "unknown caller") || ver.Outcome != "completed" || ver.Emergency {
		t.Errorf("101 call log row %+v", ver)
	}
	if old.EndedAt != nil && (ver.AnsweredAt == nil || ver.AnsweredAt.Before(*old.EndedAt)) {
		t.Errorf("the stranger's call ended at %v, not before the 101 call was answered (%v)", old.EndedAt, ver.AnsweredAt)
	}
	evs := e.events.eventsOf(ver.ID)
	if i, j, k := indexOf(evs, "line-cleared"), indexOf(evs, "before-connect"), indexOf(evs, "invite-sent"); i < 0 || i > j || j > k {
		t.Errorf("101 events out of order (want line-cleared, before-connect, then invite-sent): %v", evs)
	}
	if oldEvs := e.events.eventsOf(risky.ID); !containsStr(oldEvs, "bye-sent") || !containsStr(oldEvs, "ended") {
		t.Errorf("stranger's call events %v: clearline sent no BYE", oldEvs)
	}

	// The family is told, once per channel, naming both calls.
	m, h := rcv.oneEach(t, 0)
	if !strings.Contains(m, "called 101 to verify after a suspicious call at") || !strings.Contains(m, strangerNumber) {
		t.Errorf("e-mail: %q", m)
	}
	if !strings.Contains(h, `"type":"clearline.verification"`) || !strings.Contains(h, risky.ID) || !strings.Contains(h, ver.ID) {
		t.Errorf("webhook: %s", h)
	}
}

// The stranger is still on the kitchen phone when the person dials 999
// from the hall phone: 999 goes to the provider at once, with no prompt
// and no wait for the stranger's call (emergency calls skip every hook,
// the clear line included). clearline leaves the stranger's call alone;
// it ends when the kitchen phone hangs up.
func TestClearLineStillUpEmergencyNotDelayed(t *testing.T) {
	rcv := startReceivers(t)
	tone := wav(t, "far.wav", testpeer.Tone([]float64{farEndHz}, 20*time.Second))
	provider, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", Audio: tone, Timeout: 60 * time.Second, RecvTimeout: 40 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: provider.Addr(), phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}, configure: stillUpConfig(rcv)})
	kitchen := e.phone
	stranger, risky := strangerStaysOn(t, e)
	hall := pickUpHallPhone(t, e)

	newCall, err := prompts.Load(prompts.NewCall)
	if err != nil {
		t.Fatal(err)
	}
	promptLen := time.Duration(len(newCall)) * time.Second / testpeer.PhoneRate
	heard := dialAndRecord(t, e.on(hall), "999", 1500*time.Millisecond)

	em := e.waitCall(func(c store.Call) bool { return c.To == "999" })
	if !em.Emergency || em.Direction != "outbound" || em.Decision != "" {
		t.Errorf("999 call log row %+v", em)
	}
	evs := e.events.eventsOf(em.ID)
	for _, w := range []string{"line-cleared", "before-connect", "clear-unconfirmed"} {
		if containsStr(evs, w) {
			t.Errorf("999 call went through the clear line (%q in %v)", w, evs)
		}
	}
	inv, ok1 := e.events.at(em.ID, "invite")
	sent, ok2 := e.events.at(em.ID, "invite-sent")
	if !ok1 || !ok2 {
		t.Fatalf("999 call events %v", evs)
	}
	t.Logf("999 reached the provider %v after the phone dialled it", sent.Sub(inv))
	if d := sent.Sub(inv); d > promptLen/4 {
		t.Errorf("999 reached the provider %v after the phone dialled it", d)
	}
	if got := testpeer.Contains(heard, newCall, testpeer.PhoneRate); got > 0.5 {
		t.Errorf("the 999 call played the new-call prompt (correlation %.2f)", got)
	}
	if at := farEndStart(heard); at < 0 || at > time.Second {
		t.Errorf("the hall phone did not hear the provider at once on 999 (tone at %v)", at)
	}
	if pres, err := provider.Wait(e.ctx); err != nil || !pres.OK() {
		t.Fatalf("provider: %v %s", err, pres.Summary())
	}

	// What became of the stranger's call: still up, by design.
	if row := findCall(e.calls(), risky.ID); row.EndedAt != nil {
		t.Logf("the stranger's call was ended during the 999 call: %+v", row)
	} else {
		t.Logf("the stranger's call is still up after the 999 call (emergency calls do not clear the line)")
	}
	if err := kitchen.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	if sres, err := stranger.Wait(e.ctx); err != nil || !sres.OK() {
		t.Fatalf("stranger's leg not cleared: %v %s", err, sres.Summary())
	}
	if old := e.waitCall(func(c store.Call) bool { return c.ID == risky.ID }); old.HangupBy != "callee" {
		t.Errorf("stranger's call: want it ended by the kitchen phone (callee), got %+v", old)
	}
	rcv.waitFor(1, 1, 2*time.Second) // bounded: nothing is expected
	if m, h := rcv.counts(); m != 0 || h != 0 {
		t.Errorf("alerts sent for a 999 call: %d e-mails, %d webhooks", m, h)
	}
}

// findCall returns the call with id from calls (zero Call if absent).
func findCall(calls []store.Call, id string) store.Call {
	for _, c := range calls {
		if c.ID == id {
			return c
		}
	}
	return store.Call{}
}
