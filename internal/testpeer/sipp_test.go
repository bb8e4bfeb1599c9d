package testpeer

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCtx returns a context bounded well under the package's time budget.
func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// startUAS starts a SIPp UAS scenario and fails the test on harness errors.
func startUAS(ctx context.Context, t *testing.T, o SippOptions) *Sipp {
	t.Helper()
	uas, err := StartSipp(ctx, t, o)
	if err != nil {
		t.Fatal(err)
	}
	return uas
}

// waitOK waits for s and fails the test unless every call succeeded.
func waitOK(ctx context.Context, t *testing.T, s *Sipp, who string) *SippResult {
	t.Helper()
	res, err := s.Wait(ctx)
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	if !res.OK() {
		t.Fatalf("%s failed: %s", who, res.Summary())
	}
	return res
}

func TestSippCallWithEchoedAudio(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "tcpdump", "root")
	ctx := testCtx(t, 25*time.Second)

	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer.xml", RTPEcho: true, Callee: "bob"})

	tone := filepath.Join(t.TempDir(), "tone.wav")
	if err := WriteWAV(tone, Tone([]float64{1000}, 1500*time.Millisecond), PhoneRate); err != nil {
		t.Fatal(err)
	}
	res, err := RunSipp(ctx, t, SippOptions{
		Scenario: "uac_call.xml", Remote: uas.Addr(), Service: "bob",
		CallerID: "+441632960001", CallerName: "Test Caller",
		Headers: []string{"P-Asserted-Identity: <sip:+441632960001@127.0.0.1>"},
		Audio:   tone, Hold: 2 * time.Second, CaptureRTP: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("uac: %s", res.Summary())
	}
	ures := waitOK(ctx, t, uas, "uas")

	// The UAS saw our caller ID and headers.
	inv, ok := ures.ReceivedRequest("INVITE")
	if !ok {
		t.Fatalf("uas received no INVITE: %s", ures.Summary())
	}
	if from := inv.Header("From"); !strings.Contains(from, `"Test Caller" <sip:+441632960001@`) {
		t.Errorf("From = %q", from)
	}
	if pai := inv.Header("P-Asserted-Identity"); !strings.Contains(pai, "+441632960001") {
		t.Errorf("P-Asserted-Identity = %q", pai)
	}
	if sdp, ok := ParseSDPAudio(inv.Body); !ok || sdp.RTPMap[101] != "telephone-event/8000" || sdp.Payloads[0] != 0 {
		t.Errorf("INVITE SDP %+v:\n%s", sdp, inv.Body)
	}
	if _, ok := ures.ReceivedRequest("BYE"); !ok {
		t.Error("uas received no BYE")
	}
	if got := res.FinalResponse("INVITE"); got != 200 {
		t.Errorf("final INVITE response = %d", got)
	}
	if got := res.FinalResponse("BYE"); got != 200 {
		t.Errorf("final BYE response = %d", got)
	}

	// What came back to the UAC's media port is our tone, echoed.
	pcm := DecodeAudio(res.RTP)
	if len(pcm) < PhoneRate { // at least a second of audio
		t.Fatalf("uac received %d RTP packets, %d samples", len(res.RTP), len(pcm))
	}
	if e := ToneEnergy(pcm, PhoneRate, 1000); e < 0.8 {
		t.Errorf("1 kHz energy in echoed audio = %.2f, want > 0.8", e)
	}
	t.Logf("uac received %d RTP packets, 1 kHz energy %.2f", len(res.RTP), ToneEnergy(pcm, PhoneRate, 1000))
}

func TestSippRefusedCall(t *testing.T) {
	t.Parallel()
	Require(t, "sipp")
	for _, code := range []int{486, 403, 488} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 20*time.Second)
			uas := startUAS(ctx, t, SippOptions{Scenario: "uas_busy.xml", ResponseCode: code, Ring: 100 * time.Millisecond})
			res, err := RunSipp(ctx, t, SippOptions{Scenario: "uac_expect_code.xml", Remote: uas.Addr(), ExpectCode: code})
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() {
				t.Fatalf("uac: %s", res.Summary())
			}
			if got := res.FinalResponse("INVITE"); got != code {
				t.Errorf("final response = %d, want %d", got, code)
			}
			ures := waitOK(ctx, t, uas, "uas")
			if _, ok := ures.ReceivedRequest("ACK"); !ok {
				t.Error("uas received no ACK")
			}
		})
	}
}

func TestSippExpectCodeMismatchFails(t *testing.T) {
	t.Parallel()
	Require(t, "sipp")
	ctx := testCtx(t, 20*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_busy.xml", ResponseCode: 603})
	res, err := RunSipp(ctx, t, SippOptions{Scenario: "uac_expect_code.xml", Remote: uas.Addr(), ExpectCode: 486, RecvTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Failed != 1 || res.ExitCode != 1 {
		t.Fatalf("expected one failed call, got %s", res.Summary())
	}
	if got := res.FinalResponse("INVITE"); got != 603 {
		t.Errorf("final response = %d, want 603", got)
	}
	_, _ = uas.Stop()
}

func TestSippCancel(t *testing.T) {
	t.Parallel()
	Require(t, "sipp")
	ctx := testCtx(t, 20*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_ring_noanswer.xml", Ring: 10 * time.Second})
	res, err := RunSipp(ctx, t, SippOptions{Scenario: "uac_cancel.xml", Remote: uas.Addr(), Ring: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("uac: %s", res.Summary())
	}
	if got := res.FinalResponse("CANCEL"); got != 200 {
		t.Errorf("CANCEL final response = %d, want 200", got)
	}
	if got := res.FinalResponse("INVITE"); got != 487 {
		t.Errorf("INVITE final response = %d, want 487", got)
	}
	ures := waitOK(ctx, t, uas, "uas")
	if _, ok := ures.ReceivedRequest("CANCEL"); !ok {
		t.Error("uas received no CANCEL")
	}
}

func TestSippRingNoAnswer(t *testing.T) {
	t.Parallel()
	Require(t, "sipp")
	ctx := testCtx(t, 20*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_ring_noanswer.xml", Ring: 500 * time.Millisecond})
	res, err := RunSipp(ctx, t, SippOptions{Scenario: "uac_expect_code.xml", Remote: uas.Addr(), ExpectCode: 480})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("uac: %s", res.Summary())
	}
	waitOK(ctx, t, uas, "uas")
}

func TestSippFarEndHangsUp(t *testing.T) {
	t.Parallel()
	Require(t, "sipp")
	for _, tr := range []string{"udp", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 20*time.Second)
			uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer_bye.xml", Transport: tr, Hold: 500 * time.Millisecond})
			res, err := RunSipp(ctx, t, SippOptions{Scenario: "uac_call_wait_bye.xml", Transport: tr, Remote: uas.Addr()})
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() {
				t.Fatalf("uac: %s", res.Summary())
			}
			bye, ok := res.ReceivedRequest("BYE")
			if !ok {
				t.Fatal("uac received no BYE")
			}
			if bye.Transport != strings.ToUpper(tr) {
				t.Errorf("BYE came over %s", bye.Transport)
			}
			ures := waitOK(ctx, t, uas, "uas")
			if got := ures.FinalResponse("BYE"); got != 200 {
				t.Errorf("uas BYE final response = %d", got)
			}
		})
	}
}

func TestSippMediaScriptDTMF(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "tcpdump", "root")
	ctx := testCtx(t, 20*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer.xml", CaptureRTP: true})
	script := NewRTPScript().
		Audio(Tone([]float64{440}, 400*time.Millisecond), PTPCMU).
		DTMF("12#", PTTelephoneEvent, 100*time.Millisecond, 60*time.Millisecond).
		Audio(DTMFTones("7", 100*time.Millisecond, 100*time.Millisecond), PTPCMU)
	res, err := RunSipp(ctx, t, SippOptions{
		Scenario: "uac_call.xml", Remote: uas.Addr(),
		Media: script, Hold: script.Duration() + 300*time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("uac: %s", res.Summary())
	}
	ures := waitOK(ctx, t, uas, "uas")
	if got := Digits(ures.RTP, PTTelephoneEvent); got != "12#" {
		t.Errorf("RFC 4733 digits at uas = %q, want 12#", got)
	}
	for _, e := range Events(ures.RTP, PTTelephoneEvent) {
		if !e.Ended || e.Duration != 800 {
			t.Errorf("event %+v: want ended with duration 800", e)
		}
	}
	pcm := DecodeAudio(ures.RTP)
	if got := DetectDTMF(pcm, PhoneRate); got != "7" {
		t.Errorf("in-band digits at uas = %q, want 7", got)
	}
	if e := ToneEnergy(pcm[:3200], PhoneRate, 440); e < 0.8 {
		t.Errorf("440 Hz energy = %.2f", e)
	}
}

func TestSippLoad(t *testing.T) {
	t.Parallel()
	Require(t, "sipp")
	if testing.Short() {
		t.Skip("load run skipped in -short mode")
	}
	const calls = 200
	ctx := testCtx(t, 25*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer.xml", Calls: calls, NoMessageTrace: true})
	res, err := SippLoad(ctx, t, SippOptions{
		Scenario: "uac_call.xml", Remote: uas.Addr(),
		Calls: calls, Rate: 200, MaxConcurrent: 100, Hold: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Successful != calls {
		t.Fatalf("load: %s", res.Summary())
	}
	rt, ok := res.StatDuration("ResponseTime1(C)")
	rate, _ := res.StatFloat("CallRate(C)")
	retrans, _ := res.StatInt("Retransmissions(C)")
	if !ok {
		t.Errorf("no ResponseTime1(C) in %v", res.Stats)
	}
	t.Logf("%d calls, %.0f calls/s, mean INVITE->200 %v, %d retransmissions", res.Successful, rate, rt, retrans)
	ures := waitOK(ctx, t, uas, "uas")
	if ures.Successful != calls {
		t.Errorf("uas completed %d calls", ures.Successful)
	}
}

func TestSippGlobalTimeoutEndsRun(t *testing.T) {
	t.Parallel()
	Require(t, "sipp")
	ctx := testCtx(t, 15*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer.xml", Timeout: time.Second})
	res, err := uas.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Successful != 0 || len(res.Messages) != 0 {
		t.Errorf("idle UAS: %s", res.Summary())
	}
	t.Logf("idle UAS after -timeout: exit %d", res.ExitCode)

	// Cancelling the context kills a running SIPp.
	cctx, cancel := context.WithCancel(ctx)
	uas2 := startUAS(cctx, t, SippOptions{Scenario: "uas_answer.xml"})
	cancel()
	if _, err := uas2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if uas2.proc.exitCode() != -1 {
		t.Errorf("exit code after kill %d", uas2.proc.exitCode())
	}
}
