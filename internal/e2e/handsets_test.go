package e2e

import (
	"testing"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// Two handsets on one line (the kitchen phone and the hall phone): a call
// rings both at once; the hall phone picks up and takes the call; the
// kitchen phone stops ringing (CANCEL) and never connects.
func TestInboundRingsEveryHandset(t *testing.T) {
	e := newEnv(t, envOptions{configure: func(c *config.Config) {
		c.Listening.Recognizer = "off"
		c.Lines[0].Phones = append(c.Lines[0].Phones, config.Phone{Username: hallUser, Password: hallPass})
	}})
	hall, err := testpeer.StartBaresip(e.ctx, t, testpeer.BaresipOptions{Registrar: e.sipAddr(), User: hallUser, Password: hallPass, Record: true})
	if err != nil {
		t.Fatalf("start the hall phone: %v", err)
	}
	if err := hall.WaitRegistered(e.ctx); err != nil {
		t.Fatalf("the hall phone did not register: %v", err)
	}

	caller, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber, Hold: 2 * time.Second,
		Audio: wav(t, "caller.wav", testpeer.Tone([]float64{440}, 3*time.Second)), Timeout: 40 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, ph := range map[string]*testpeer.Baresip{"kitchen": e.phone, "hall": hall} {
		if _, err := ph.WaitEvent(e.ctx, testpeer.EventCallIncoming); err != nil {
			t.Fatalf("the %s phone did not ring: %v", name, err)
		}
	}
	if err := hall.Accept(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("the kitchen phone kept ringing after the hall phone answered: %v", err)
	}
	if _, err := hall.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	if err := hall.WaitRecorded(e.ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	res, err := caller.Wait(e.ctx)
	if err != nil || !res.OK() {
		t.Fatalf("the caller's call: %v %s", err, res.Summary())
	}
	if _, ok := findEvent(e.phone, testpeer.EventCallEstablished); ok {
		t.Error("the kitchen phone connected too")
	}
	heard, _, err := testpeer.ReadWAV(hall.RecordingPath())
	if err != nil {
		t.Fatal(err)
	}
	if got := testpeer.ToneEnergy(heard, testpeer.PhoneRate, 440); got < 0.5 {
		t.Errorf("the hall phone heard the caller's tone with energy share %.2f, want >= 0.5", got)
	}
	c := e.waitCall(func(c store.Call) bool { return c.Direction == "inbound" })
	if c.Outcome != "completed" || c.HangupBy != "caller" || c.AnsweredAt == nil {
		t.Errorf("call log row = %+v", c)
	}
}

// Two handsets, neither answers: both stop ringing when the ring timer
// fires and the caller is told no-one answered (480), logged as no-answer.
func TestInboundHandsetsNoAnswer(t *testing.T) {
	e := newEnv(t, envOptions{ringTime: 3 * time.Second, configure: func(c *config.Config) {
		c.Listening.Recognizer = "off"
		c.Lines[0].Phones = append(c.Lines[0].Phones, config.Phone{Username: hallUser, Password: hallPass})
	}})
	hall, err := testpeer.StartBaresip(e.ctx, t, testpeer.BaresipOptions{Registrar: e.sipAddr(), User: hallUser, Password: hallPass})
	if err != nil {
		t.Fatalf("start the hall phone: %v", err)
	}
	if err := hall.WaitRegistered(e.ctx); err != nil {
		t.Fatalf("the hall phone did not register: %v", err)
	}
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_expect_code.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber, ExpectCode: 480,
	})
	if err != nil || !res.OK() {
		t.Fatalf("unanswered call not ended with 480: %v %s", err, res.Summary())
	}
	for name, ph := range map[string]*testpeer.Baresip{"kitchen": e.phone, "hall": hall} {
		if _, err := ph.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
			t.Errorf("the %s phone kept ringing: %v", name, err)
		}
	}
	if c := e.waitCall(func(store.Call) bool { return true }); c.Outcome != "no-answer" {
		t.Errorf("call log row = %+v, want no-answer", c)
	}
}
