package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// unknownNumber is a valid UK number that is neither trusted nor blocked.
const unknownNumber = "+441142345678"

// A trusted contact rings the phone at once, and the log says why.
func TestTrustedCallerRingsAtOnce(t *testing.T) {
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true}})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber, Hold: time.Second,
	})
	if err != nil || !res.OK() {
		t.Fatalf("trusted call failed: %v %s", err, res.Summary())
	}
	c := e.waitCall(func(store.Call) bool { return true })
	if c.Decision != "allow" || c.Outcome != "completed" || !anyContains(c.Reasons, "trusted") {
		t.Errorf("call log row = %+v", c)
	}
}

// A spoofed 101 is refused before the phone rings.
func TestSpoofedServiceNumberRefused(t *testing.T) {
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true}})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_expect_code.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: "101", ExpectCode: 603,
	})
	if err != nil || !res.OK() {
		t.Fatalf("spoofed 101 not refused with 603: %v %s", err, res.Summary())
	}
	if hasType(e.phone.Events(), testpeer.EventCallIncoming) || hasType(e.phone.Events(), testpeer.EventCallEstablished) {
		t.Fatal("the phone rang for a spoofed 101")
	}
	c := e.waitCall(func(store.Call) bool { return true })
	if c.Decision != "block" || c.Outcome != "blocked" || len(c.Reasons) == 0 {
		t.Errorf("call log row = %+v", c)
	}
	t.Logf("reasons stored: %q", c.Reasons)
}

// namedCaller is what a challenged caller sends: silence while clearline
// asks for the name (about 5 s with the tone), then the name, then silence.
func namedCaller(t *testing.T, name string) (wavPath string, speech []int16) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := t.TempDir() + "/name.wav"
	if err := testpeer.Speak(ctx, name, p, "espeak-ng:en-gb"); err != nil {
		t.Fatalf("speak: %v", err)
	}
	speech, _, err := testpeer.ReadWAV(p)
	if err != nil {
		t.Fatal(err)
	}
	return wav(t, "caller.wav", testpeer.Concat(testpeer.Silence(5500*time.Millisecond), speech, testpeer.Silence(20*time.Second))), speech
}

// A withheld caller is challenged: clearline asks the name, the phone hears
// "Call from <name>" and accepts with key 1, and the call is connected.
func TestWithheldCallerChallengedAndAccepted(t *testing.T) {
	testpeer.Require(t, "espeak-ng")
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}})
	audio, speech := namedCaller(t, "This is Margaret from the chemist")
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: "anonymous",
		Headers: []string{"Privacy: id"}, Audio: audio, Hold: 30 * time.Second, Timeout: 60 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("phone never rang after the caller gave a name: %v", err)
	}
	if err := e.phone.WaitRecorded(e.ctx, 4*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := e.phone.SendDTMF(e.ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := waitEventFor(e, "answered", 10*time.Second); !ok {
		t.Fatal("call not connected after key 1")
	}
	time.Sleep(time.Second)
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	sipp.Stop()
	heard, _, err := testpeer.ReadWAV(e.phone.RecordingPath())
	if err != nil {
		t.Fatal(err)
	}
	if got := testpeer.Contains(heard, speech, testpeer.PhoneRate); got < 0.7 {
		t.Errorf("the phone did not hear the caller's recorded name (envelope correlation %.2f)", got)
	}
	c := e.waitCall(func(store.Call) bool { return true })
	if c.Decision != "challenge" || c.AnsweredAt == nil || c.Outcome != "completed" {
		t.Errorf("call log row = %+v", c)
	}
}

// Key 2 refuses: both legs are cleared and the phone is not connected.
// Key 9 blocks: the same number's next call is refused before ringing.
func TestChallengeRefuseAndBlock(t *testing.T) {
	testpeer.Require(t, "espeak-ng")
	for _, key := range []string{"2", "9"} {
		t.Run("key "+key, func(t *testing.T) {
			e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true}})
			audio, _ := namedCaller(t, "Hello it is Tom from the bank")
			sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
				Scenario: "uac_call_wait_bye.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: unknownNumber,
				Audio: audio, Timeout: 60 * time.Second, RecvTimeout: 50 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
				t.Fatalf("phone never rang: %v", err)
			}
			time.Sleep(1500 * time.Millisecond)
			if err := e.phone.SendDTMF(e.ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
				t.Fatalf("phone leg not cleared after key %s: %v", key, err)
			}
			res, err := sipp.Wait(e.ctx)
			if err != nil || !res.OK() {
				t.Fatalf("caller leg not cleared: %v %s", err, res.Summary())
			}
			c := e.waitCall(func(store.Call) bool { return true })
			if c.Decision != "challenge" || c.Outcome != "refused" || c.AnsweredAt != nil {
				t.Errorf("call log row = %+v", c)
			}
			again, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
				Scenario: "uac_expect_code.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: unknownNumber, ExpectCode: 603,
				Timeout: 20 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			if key == "9" && !again.OK() {
				t.Errorf("blocked caller's next call was not refused: %s", again.Summary())
			}
			kept, err := e.app.Store.ListEntries(context.Background(), "mum", "blocked")
			if err != nil {
				t.Fatal(err)
			}
			if key == "9" && (len(kept) != 1 || kept[0].Number != unknownNumber) {
				t.Errorf("key 9 block not kept in the store: %+v", kept)
			}
			if key == "2" && len(kept) != 0 {
				t.Errorf("key 2 put the caller on the block list: %+v", kept)
			}
			if key == "2" && again.OK() {
				t.Error("refusing one call blocked the caller for good")
			}
		})
	}
}

// A caller who says nothing (a robocaller waiting for a human) never rings
// the phone.
func TestSilentCallerNeverRingsPhone(t *testing.T) {
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true}})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call_wait_bye.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: unknownNumber,
		Audio: wav(t, "silence.wav", testpeer.Silence(20*time.Second)), Timeout: 40 * time.Second, RecvTimeout: 30 * time.Second,
	})
	if err != nil || !res.OK() {
		t.Fatalf("silent caller was not hung up on: %v %s", err, res.Summary())
	}
	if evs := e.phone.Events(); hasType(evs, testpeer.EventCallIncoming) || hasType(evs, testpeer.EventCallEstablished) {
		t.Fatalf("phone rang for a silent caller: %v", evs)
	}
	c := e.waitCall(func(store.Call) bool { return true })
	if c.Decision != "challenge" || c.Outcome != "challenge-failed" {
		t.Errorf("call log row = %+v", c)
	}
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(strings.ToLower(s), sub) {
			return true
		}
	}
	return false
}

func waitEventFor(e *env, what string, d time.Duration) (any, bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ev, ok := e.events.find(what); ok {
			return ev, true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, false
}
