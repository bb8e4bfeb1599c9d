package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/prompts"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// The far end of a verification call (the real 101) answers with a
// 1000 Hz tone, so the phone's recording shows when its audio began.
const farEndHz = 1000

// clearLineConfig: unknown callers ring through (so a stranger's call is a
// risky "unknown caller" call), no recogniser, alerts to the test's SMTP
// and webhook receivers.
func clearLineConfig(r *receivers) func(*config.Config) {
	return func(c *config.Config) {
		c.Listening.Recognizer = "off"
		c.Alerts.SMTPAddr, c.Alerts.SMTPFrom = r.smtp, "clearline@example.org"
		l := &c.Lines[0]
		l.UnknownCallers = "allow"
		l.AlertEmails = []string{"daughter@example.org"}
		l.AlertWebhooks = []string{r.hook}
	}
}

// farEndStart is where farEndHz first dominates the recording (100 ms
// blocks), or -1.
func farEndStart(pcm []int16) time.Duration {
	n := testpeer.PhoneRate / 10
	for off := 0; off+n <= len(pcm); off += n {
		b := pcm[off : off+n]
		if testpeer.RMS(b) > 300 && testpeer.ToneEnergy(b, testpeer.PhoneRate, farEndHz) > 0.6 {
			return time.Duration(off) * time.Second / testpeer.PhoneRate
		}
	}
	return -1
}

// dialAnnounced dials number from the phone and checks that the phone
// heard the new-call prompt and the far end's audio only after it. It
// returns the recording and where the prompt starts in it.
func dialAnnounced(t *testing.T, e *env, number string) ([]int16, time.Duration) {
	t.Helper()
	newCall, err := prompts.Load(prompts.NewCall)
	if err != nil {
		t.Fatal(err)
	}
	promptLen := time.Duration(len(newCall)) * time.Second / testpeer.PhoneRate
	heard := dialAndRecord(t, e, number, promptLen+2500*time.Millisecond)
	score, promptAt := testpeer.ContainsAt(heard, newCall, testpeer.PhoneRate)
	farAt := farEndStart(heard)
	t.Logf("%s: new-call prompt at %v (correlation %.2f, %v long), far end's audio from %v", number, promptAt, score, promptLen, farAt)
	if score < 0.7 {
		t.Errorf("the phone did not hear the new-call prompt on %s (correlation %.2f)", number, score)
	}
	if farAt < 0 {
		t.Fatalf("the phone never heard the far end on %s: the call was not connected", number)
	}
	if farAt < promptAt+promptLen-200*time.Millisecond {
		t.Errorf("the far end's audio (from %v) came before the prompt on %s ended (%v + %v)", farAt, number, promptAt, promptLen)
	}
	return heard, promptAt
}

// eventsOf returns the gateway events of one call, in order.
func (l *eventLog) eventsOf(callID string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.evs {
		if e.CallID == callID {
			out = append(out, e.What)
		}
	}
	return out
}

func (l *eventLog) at(callID, what string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.evs {
		if e.CallID == callID && e.What == what {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// dialAndRecord dials number from the phone, lets audio flow for hold
// after the answer, hangs up and returns the phone's recording.
func dialAndRecord(t *testing.T, e *env, number string, hold time.Duration) []int16 {
	t.Helper()
	time.Sleep(1100 * time.Millisecond) // a new recording file (baresip names them by the second)
	before := len(e.phone.Recordings())
	if err := e.phone.Dial(e.ctx, number); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("call to %s not established: %v", number, err)
	}
	if err := e.phone.WaitRecorded(e.ctx, hold); err != nil {
		t.Fatal(err)
	}
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatal(err)
	}
	recs := e.phone.Recordings()
	if len(recs) <= before {
		t.Fatalf("no new recording for the call to %s: %v", number, recs)
	}
	time.Sleep(200 * time.Millisecond) // sndfile closes the file at call end
	pcm, _, err := testpeer.ReadWAV(recs[len(recs)-1])
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// The clear line: a stranger rings (an unknown caller, put through); the
// person hangs up and, worried, dials 999 and then 101. 999 goes to the
// provider at once with no prompt. 101 is announced: clearline confirms
// the stranger's call is over, the phone hears "This is a new call. Your
// previous call has ended." and only then the provider's side (a 1000 Hz
// tone from SIPp), and the family's SMTP and webhook receivers are told
// the person called 101 to verify.
func TestClearLineAnnouncesVerificationCallAfterUnknownCaller(t *testing.T) {
	rcv := startReceivers(t)
	tone := wav(t, "far.wav", testpeer.Tone([]float64{farEndHz}, 20*time.Second))
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", Calls: 2, Audio: tone, Timeout: 90 * time.Second, RecvTimeout: 40 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr(), phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}, configure: clearLineConfig(rcv)})

	// The stranger's call: the phone answers; the stranger hangs up.
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: strangerNumber, Hold: 2 * time.Second,
		Audio: wav(t, "stranger.wav", testpeer.Tone([]float64{440}, 3*time.Second)),
	})
	if err != nil || !res.OK() {
		t.Fatalf("stranger's call: %v %s", err, res.Summary())
	}
	risky := e.waitCall(func(c store.Call) bool { return c.Direction == "inbound" })
	if risky.Decision != "allow" || !anyContains(risky.Reasons, "not a trusted contact") {
		t.Fatalf("the stranger's call was not put through as an unknown caller: %+v", risky)
	}
	for _, ev := range []string{testpeer.EventCallEstablished, testpeer.EventCallClosed} { // consume the inbound call's events
		if _, err := e.phone.WaitEvent(e.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}

	newCall, err := prompts.Load(prompts.NewCall)
	if err != nil {
		t.Fatal(err)
	}
	promptLen := time.Duration(len(newCall)) * time.Second / testpeer.PhoneRate

	// 999 right after: straight through, no prompt.
	heard999 := dialAndRecord(t, e, "999", 1500*time.Millisecond)
	em := e.waitCall(func(c store.Call) bool { return c.To == "999" })
	if !em.Emergency {
		t.Errorf("999 call not marked emergency: %+v", em)
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
	// The announcement alone lasts promptLen; 999 must not wait anything like it.
	if d := sent.Sub(inv); d > promptLen/4 {
		t.Errorf("999 reached the provider %v after the phone dialled it", d)
	}
	if got := testpeer.Contains(heard999, newCall, testpeer.PhoneRate); got > 0.5 {
		t.Errorf("the 999 call played the new-call prompt (correlation %.2f)", got)
	}
	if at := farEndStart(heard999); at < 0 || at > time.Second {
		t.Errorf("the phone did not hear the provider at once on 999 (tone at %v)", at)
	}

	// 101: announced as a new call, then connected.
	heard101, promptAt := dialAnnounced(t, e, "101")
	if before := heard101[:min(len(heard101), int(promptAt.Seconds()*testpeer.PhoneRate))]; testpeer.ToneEnergy(before, testpeer.PhoneRate, farEndHz) > 0.3 {
		t.Error("the provider's audio was heard before the prompt")
	}
	ver := e.waitCall(func(c store.Call) bool { return c.To == "101" })
	if ver.Decision != "clear-line" || !anyContains(ver.Reasons, "unknown caller") || ver.Outcome != "completed" {
		t.Errorf("101 call log row %+v", ver)
	}
	evs = e.events.eventsOf(ver.ID)
	if i, j := indexOf(evs, "line-cleared"), indexOf(evs, "invite-sent"); i < 0 || j < 0 || i > j || indexOf(evs, "before-connect") > j {
		t.Errorf("101 events out of order (want line-cleared, before-connect, then invite-sent): %v", evs)
	}

	ures, err := uas.Wait(e.ctx)
	if err != nil || !ures.OK() {
		t.Fatalf("provider: %v %s", err, ures.Summary())
	}
	var dialled []string
	seen := map[string]bool{}
	for _, m := range ures.Messages {
		if m.Dir == testpeer.Received && m.Method == "INVITE" && !seen[m.CallID()] {
			seen[m.CallID()] = true
			user, _, _ := strings.Cut(strings.TrimPrefix(m.RequestURI, "sip:"), "@")
			dialled = append(dialled, user)
		}
	}
	if strings.Join(dialled, ",") != "999,101" {
		t.Errorf("provider received INVITEs for %v, want 999 then 101", dialled)
	}

	// The family is told, once per channel (nothing for 999).
	m, h := rcv.oneEach(t, 2*time.Second)
	if !strings.Contains(m, "called 101 to verify after a suspicious call at") || !strings.Contains(m, strangerNumber) {
		t.Errorf("e-mail: %q", m)
	}
	if !strings.Contains(h, `"type":"clearline.verification"`) || !strings.Contains(h, `"dialled":"101"`) || !strings.Contains(h, risky.ID) || !strings.Contains(h, ver.ID) {
		t.Errorf("webhook: %s", h)
	}
}

// 101 with no risky call before it (the last call was a trusted contact):
// no announcement, no alert; the provider's audio comes at once.
func TestClearLineNotAnnouncedWithoutRiskyCall(t *testing.T) {
	rcv := startReceivers(t)
	tone := wav(t, "far.wav", testpeer.Tone([]float64{farEndHz}, 20*time.Second))
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", Audio: tone, Timeout: 60 * time.Second, RecvTimeout: 40 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr(), phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}, configure: clearLineConfig(rcv)})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber, Hold: 2 * time.Second,
	})
	if err != nil || !res.OK() {
		t.Fatalf("trusted call: %v %s", err, res.Summary())
	}
	for _, ev := range []string{testpeer.EventCallEstablished, testpeer.EventCallClosed} { // consume the inbound call's events
		if _, err := e.phone.WaitEvent(e.ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	newCall, _ := prompts.Load(prompts.NewCall)
	heard := dialAndRecord(t, e, "101", 3*time.Second)
	if got := testpeer.Contains(heard, newCall, testpeer.PhoneRate); got > 0.5 {
		t.Errorf("101 after a trusted call played the new-call prompt (correlation %.2f)", got)
	}
	if at := farEndStart(heard); at < 0 || at > time.Second {
		t.Errorf("the phone did not hear the provider at once (tone at %v)", at)
	}
	ver := e.waitCall(func(c store.Call) bool { return c.To == "101" })
	if ver.Decision != "" || containsStr(e.events.eventsOf(ver.ID), "before-connect") {
		t.Errorf("101 after a trusted call went through the clear line: %+v %v", ver, e.events.eventsOf(ver.ID))
	}
	if ures, err := uas.Wait(e.ctx); err != nil || !ures.OK() {
		t.Fatalf("provider: %v %s", err, ures.Summary())
	}
	time.Sleep(2 * time.Second)
	if m, h := rcv.counts(); m != 0 || h != 0 {
		t.Errorf("alerts sent without a risky call: %d e-mails, %d webhooks", m, h)
	}
}

func indexOf(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}

// A withheld caller is challenged and the person refuses (key 2); then
// she rings her bank, dialling the +44 form of a bank number configured
// in national form: the call is announced as a new call before the bank
// answers, and the family hears about it.
func TestClearLineAnnouncesBankCallAfterChallengedCaller(t *testing.T) {
	testpeer.Require(t, "espeak-ng")
	rcv := startReceivers(t)
	tone := wav(t, "far.wav", testpeer.Tone([]float64{farEndHz}, 20*time.Second))
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", Audio: tone, Timeout: 90 * time.Second, RecvTimeout: 60 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	base := clearLineConfig(rcv)
	e := newEnv(t, envOptions{trunk: uas.Addr(), phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}, configure: func(c *config.Config) {
		base(c)
		c.Lines[0].UnknownCallers = "challenge"
		c.ClearLine.BankNumbers = []string{"0345 740 4404"}
	}})
	audio, _ := namedCaller(t, "Hello it is Tom from the bank")
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call_wait_bye.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: "anonymous",
		Headers: []string{"Privacy: id"}, Audio: audio, Timeout: 60 * time.Second, RecvTimeout: 50 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("phone never rang after the challenge: %v", err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := e.phone.SendDTMF(e.ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("phone leg not cleared after key 2: %v", err)
	}
	if res, err := sipp.Wait(e.ctx); err != nil || !res.OK() {
		t.Fatalf("caller leg not cleared: %v %s", err, res.Summary())
	}
	risky := e.waitCall(func(c store.Call) bool { return c.Direction == "inbound" })
	if risky.Decision != "challenge" || risky.Outcome != "refused" {
		t.Fatalf("withheld caller not challenged and refused: %+v", risky)
	}

	dialAnnounced(t, e, "+443457404404")
	ver := e.waitCall(func(c store.Call) bool { return c.Direction == "outbound" })
	if ver.Decision != "clear-line" || !anyContains(ver.Reasons, "challenged") {
		t.Errorf("bank call log row %+v", ver)
	}
	if ures, err := uas.Wait(e.ctx); err != nil || !ures.OK() {
		t.Fatalf("bank: %v %s", err, ures.Summary())
	}
	if m, _ := rcv.oneEach(t, 0); !strings.Contains(m, "called +443457404404 to verify after a suspicious call") || !strings.Contains(m, "a withheld number") {
		t.Errorf("e-mail: %q", m)
	}
}

// The scenario the police warn about: a courier-fraud call is judged a
// scam, warned about and ended; the person, worried, dials 101 to check.
// The 101 call is announced as a new call and the family's alerts name
// the earlier call as a likely scam.
func TestClearLineAfterScamCall(t *testing.T) {
	testpeer.Require(t, "flite")
	rcv := startReceivers(t)
	tone := wav(t, "far.wav", testpeer.Tone([]float64{farEndHz}, 20*time.Second))
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", Audio: tone, Timeout: 110 * time.Second, RecvTimeout: 100 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr(), phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}, configure: listeningConfig(rcv, "warn-and-end")})
	scam := testpeer.Concat(testpeer.Silence(time.Second),
		speak(t, "Hello, this is detective inspector Burns from the metropolitan police. We have arrested a man who was using your bank card."),
		testpeer.Silence(1500*time.Millisecond),
		speak(t, "We need you to withdraw cash from your bank today. A courier will come to your house to collect the cash."),
		testpeer.Silence(20*time.Second))
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: strangerNumber,
		Audio: wav(t, "scam.wav", scam), Hold: 40 * time.Second, Timeout: 60 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{testpeer.EventCallEstablished, testpeer.EventCallClosed} {
		if _, err := e.phone.WaitEvent(e.ctx, ev); err != nil {
			t.Fatalf("scam call: %v", err)
		}
	}
	sipp.Stop()
	scamCall := e.waitCall(func(c store.Call) bool { return c.Direction == "inbound" && c.EndedAt != nil })
	if scamCall.Verdict != "scam" || scamCall.HangupBy != "clearline" {
		t.Fatalf("the courier-fraud call was not judged a scam and ended: %+v", scamCall)
	}

	dialAnnounced(t, e, "101")
	ver := e.waitCall(func(c store.Call) bool { return c.To == "101" })
	if ver.Decision != "clear-line" || !anyContains(ver.Reasons, "likely scam") {
		t.Errorf("101 call log row %+v", ver)
	}
	if ures, err := uas.Wait(e.ctx); err != nil || !ures.OK() {
		t.Fatalf("provider: %v %s", err, ures.Summary())
	}
	// Two alerts per channel: the scam itself, then the verification call.
	rcv.waitFor(2, 2, 15*time.Second)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	var verMail, verHook string
	for _, m := range rcv.mails {
		if strings.Contains(m, "called 101 to verify") {
			verMail = m
		}
	}
	for _, h := range rcv.raw {
		if strings.Contains(h, `"type":"clearline.verification"`) {
			verHook = h
		}
	}
	if len(rcv.mails) != 2 || len(rcv.raw) != 2 || verMail == "" || verHook == "" {
		t.Fatalf("alerts: %d e-mails, %d webhooks (want the scam alert and the verification alert on each): %q", len(rcv.mails), len(rcv.raw), rcv.raw)
	}
	if !strings.Contains(verMail, "judged a likely scam") || !strings.Contains(verHook, scamCall.ID) {
		t.Errorf("verification alert does not name the scam call: mail %q webhook %s", verMail, verHook)
	}
}
