package e2e

import (
	"context"
	"github.com/clearline/clearline/internal/config"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// Nobody answers: after the ring timeout the caller gets 480 and the phone
// stops ringing.
func TestNoAnswer(t *testing.T) {
	e := newEnv(t, envOptions{ringTime: 2 * time.Second})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_expect_code.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber, ExpectCode: 480,
	})
	if err != nil || !res.OK() {
		t.Fatalf("unanswered call not ended with 480: %v %s", err, res.Summary())
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("phone still ringing: %v", err)
	}
	if c := e.waitCall(func(store.Call) bool { return true }); c.Outcome != "no-answer" {
		t.Errorf("call log row = %+v", c)
	}
}

// Keypad digits the phone sends as RFC 4733 events on a call it dialled
// (a bank's automated line, say) reach the far end.
func TestRFC4733DigitsRelayedOnOutgoingCall(t *testing.T) {
	testpeer.Require(t, "root", "tcpdump")
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", CaptureRTP: true, Timeout: 40 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr()})
	if err := e.phone.Dial(e.ctx, "03001234567"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	for _, d := range "1234#" {
		if err := e.phone.SendDTMF(e.ctx, string(d)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	res, err := uas.Wait(e.ctx)
	if err != nil || !res.OK() {
		t.Fatalf("provider: %v %s", err, res.Summary())
	}
	if got := testpeer.Digits(res.RTP, 101); got != "1234#" {
		t.Errorf("provider received RFC 4733 digits %q, want %q (%d RTP packets)", got, "1234#", len(res.RTP))
	}
}

// Key 3 accepts the call and trusts the caller: the next call from the same
// number rings straight through.
func TestChallengeKey3TrustsCaller(t *testing.T) {
	testpeer.Require(t, "espeak-ng")
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true}})
	audio, _ := namedCaller(t, "It is Sue from number twelve")
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: unknownNumber,
		Audio: audio, Hold: 25 * time.Second, Timeout: 60 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("phone never rang: %v", err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := e.phone.SendDTMF(e.ctx, "3"); err != nil {
		t.Fatal(err)
	}
	if _, ok := waitEventFor(e, "answered", 10*time.Second); !ok {
		t.Fatal("call not connected after key 3")
	}
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	sipp.Stop()
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatal(err)
	}
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: unknownNumber, Hold: time.Second,
	})
	if err != nil || !res.OK() {
		t.Fatalf("second call from the newly trusted number: %v %s", err, res.Summary())
	}
	calls := e.calls()
	if len(calls) < 2 || calls[0].Decision != "allow" || !anyContains(calls[0].Reasons, "trusted") {
		t.Errorf("second call was not let straight through: %+v", calls)
	}
}

// The keypad guard: keys the person presses during a call from a caller
// who is not a trusted contact never reach the caller, neither as RFC 4733
// events nor as in-band tones. (TestRFC4733DigitsRelayedOnOutgoingCall
// shows keys do pass when the person dials out.)
func TestKeypadGuardStopsDigitsToUntrustedCaller(t *testing.T) {
	testpeer.Require(t, "root", "tcpdump")
	tones := wav(t, "keys.wav", testpeer.Concat(testpeer.Silence(time.Second), testpeer.DTMFTones("4729", 120*time.Millisecond, 120*time.Millisecond),
		testpeer.Tone([]float64{440}, 2*time.Second), testpeer.Silence(8*time.Second)))
	e := newEnv(t, envOptions{
		phone: testpeer.BaresipOptions{AutoAnswer: true, AudioSource: tones},
		configure: func(c *config.Config) {
			c.Listening.Recognizer = "off"
			c.Lines[0].UnknownCallers = "allow"
		},
	})
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: strangerNumber,
		Hold: 7 * time.Second, CaptureRTP: true, Timeout: 40 * time.Second,
		Audio: wav(t, "quiet.wav", testpeer.Silence(8*time.Second)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond)
	for _, d := range "1234" {
		if err := e.phone.SendDTMF(e.ctx, string(d)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	res, err := sipp.Wait(e.ctx)
	if err != nil || !res.OK() {
		t.Fatalf("caller: %v %s", err, res.Summary())
	}
	if len(res.RTP) < 100 {
		t.Fatalf("the caller received only %d RTP packets: the test proves nothing", len(res.RTP))
	}
	if got := testpeer.Digits(res.RTP, 101); got != "" {
		t.Errorf("the caller received RFC 4733 digits %q", got)
	}
	heard := testpeer.DecodeAudio(res.RTP)
	if got := testpeer.DetectDTMF(heard, testpeer.PhoneRate); got != "" {
		t.Errorf("the caller heard in-band digits %q", got)
	}
	if got := testpeer.ToneEnergy(heard, testpeer.PhoneRate, 440); got < 0.2 {
		t.Errorf("the caller did not hear the phone's ordinary audio (440 Hz share %.2f): the path was not open", got)
	}
}
