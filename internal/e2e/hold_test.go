package e2e

import (
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// The phone puts an inbound call on hold and resumes it: clearline answers
// both re-INVITEs on the phone's leg (media stays anchored), the provider's
// leg is undisturbed, and the call ends normally.
func TestHoldAndResumeFromPhone(t *testing.T) {
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true}})
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber,
		Audio: wav(t, "440.wav", testpeer.Tone([]float64{440}, 8*time.Second)), Hold: 6 * time.Second, Timeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if _, err := e.phone.Command(e.ctx, "hold", ""); err != nil {
		t.Fatalf("hold: %v", err)
	}
	if _, ok := waitEventFor(e, "re-invite", 5*time.Second); !ok {
		t.Fatal("clearline saw no re-INVITE for hold")
	}
	time.Sleep(time.Second)
	if _, err := e.phone.Command(e.ctx, "resume", ""); err != nil {
		t.Fatalf("resume: %v", err)
	}
	res, err := sipp.Wait(e.ctx)
	if err != nil || !res.OK() {
		t.Fatalf("provider's leg disturbed by hold: %v %s", err, res.Summary())
	}
	var dirs []string
	e.events.mu.Lock()
	for _, ev := range e.events.evs {
		if ev.What == "re-invite" {
			dirs = append(dirs, ev.Detail)
		}
	}
	e.events.mu.Unlock()
	if len(dirs) < 2 || dirs[0] != "sendonly" || dirs[len(dirs)-1] != "sendrecv" {
		t.Errorf("re-INVITE directions seen = %v, want sendonly then sendrecv", dirs)
	}
	if c := e.waitCall(func(store.Call) bool { return true }); c.Outcome != "completed" || c.HangupBy != "caller" {
		t.Errorf("call log row = %+v", c)
	}
}
