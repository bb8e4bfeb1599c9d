package testpeer

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// toneWAV writes a tone of freq Hz lasting d and returns its path.
func toneWAV(t *testing.T, freq float64, d time.Duration) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tone.wav")
	if err := WriteWAV(p, Tone([]float64{freq}, d), PhoneRate); err != nil {
		t.Fatal(err)
	}
	return p
}

// startPhone starts baresip and fails the test on harness errors.
func startPhone(ctx context.Context, t *testing.T, o BaresipOptions) *Baresip {
	t.Helper()
	b, err := StartBaresip(ctx, t, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// heard reads the phone's newest recording.
func heard(t *testing.T, b *Baresip) []int16 {
	t.Helper()
	p := b.RecordingPath()
	if p == "" {
		t.Fatal("baresip made no recording")
	}
	pcm, rate, err := ReadWAV(p)
	if err != nil {
		t.Fatal(err)
	}
	if rate != PhoneRate {
		t.Fatalf("recording rate %d", rate)
	}
	return pcm
}

func mustEvent(ctx context.Context, t *testing.T, b *Baresip, kind string) BaresipEvent {
	t.Helper()
	ev, err := b.WaitEvent(ctx, kind)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestBaresipCallsSippEcho: the phone dials a SIPp UAS that echoes RTP; the
// phone's tone comes back into its recording; the phone hangs up.
func TestBaresipCallsSippEcho(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "baresip")
	for _, tr := range []string{"udp", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 25*time.Second)
			uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer.xml", RTPEcho: true, Transport: tr})
			phone := startPhone(ctx, t, BaresipOptions{AudioSource: toneWAV(t, 1000, 3*time.Second), Record: true, Transport: tr})
			if err := phone.Dial(ctx, uas.URI("echo")); err != nil {
				t.Fatal(err)
			}
			mustEvent(ctx, t, phone, EventCallEstablished)
			if err := phone.WaitRecorded(ctx, 1500*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if err := phone.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			mustEvent(ctx, t, phone, EventCallClosed)
			res := waitOK(ctx, t, uas, "uas")
			inv, _ := res.ReceivedRequest("INVITE")
			if inv.Transport != strings.ToUpper(tr) {
				t.Errorf("INVITE over %s", inv.Transport)
			}
			sdp, ok := ParseSDPAudio(inv.Body)
			if !ok || sdp.Port == 0 || sdp.Addr != "127.0.0.1" || !sdp.HasEncoding("PCMU") || !sdp.HasEncoding("telephone-event") {
				t.Errorf("baresip SDP %+v:\n%s", sdp, inv.Body)
			}
			pcm := heard(t, phone)
			if e := ToneEnergy(pcm, PhoneRate, 1000); e < 0.5 {
				t.Errorf("1 kHz energy in what the phone heard = %.2f (rms %.0f, %d samples)", e, RMS(pcm), len(pcm))
			}
		})
	}
}

// TestSippCallsBaresip: a SIPp UAC calls the phone directly; the phone
// auto-answers; audio flows both ways; SIPp hangs up.
func TestSippCallsBaresip(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "baresip", "tcpdump", "root")
	ctx := testCtx(t, 25*time.Second)
	phone := startPhone(ctx, t, BaresipOptions{AutoAnswer: true, AudioSource: toneWAV(t, 700, 5*time.Second), Record: true})
	res, err := RunSipp(ctx, t, SippOptions{
		Scenario: "uac_call.xml", Remote: phone.SIPAddr(), Service: "phone", CallerID: "01632960002",
		Audio: toneWAV(t, 1000, 1500*time.Millisecond), Hold: 2 * time.Second, CaptureRTP: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("uac: %s", res.Summary())
	}
	// With answermode=auto baresip 1.0.0 sends no CALL_INCOMING event.
	in := mustEvent(ctx, t, phone, EventCallEstablished)
	if in.Direction != "incoming" || !strings.Contains(in.PeerURI, "01632960002") {
		t.Errorf("established %s call with %q", in.Direction, in.PeerURI)
	}
	closed := mustEvent(ctx, t, phone, EventCallClosed)
	t.Logf("CALL_CLOSED param %q", closed.Param)

	// SIPp heard the phone's 700 Hz tone.
	pcm := DecodeAudio(res.RTP)
	if len(pcm) < PhoneRate {
		t.Fatalf("sipp received %d samples", len(pcm))
	}
	if e := ToneEnergy(pcm, PhoneRate, 700); e < 0.8 {
		t.Errorf("700 Hz energy at sipp = %.2f", e)
	}
	// The phone heard SIPp's 1 kHz tone.
	if e := ToneEnergy(heard(t, phone), PhoneRate, 1000); e < 0.5 {
		t.Errorf("1 kHz energy at phone = %.2f", e)
	}
}

// TestBaresipManualAnswerFarEndBye: the phone rings (no auto answer), the
// test accepts, the SIPp side hangs up.
func TestBaresipManualAnswerFarEndBye(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "baresip")
	ctx := testCtx(t, 25*time.Second)
	phone := startPhone(ctx, t, BaresipOptions{})
	uac, err := StartSipp(ctx, t, SippOptions{Scenario: "uac_call_wait_bye.xml", Remote: phone.SIPAddr(), Service: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	mustEvent(ctx, t, phone, EventCallIncoming)
	if err := phone.Accept(ctx); err != nil {
		t.Fatal(err)
	}
	mustEvent(ctx, t, phone, EventCallEstablished)
	if err := phone.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	res := waitOK(ctx, t, uac, "uac")
	if _, ok := res.ReceivedRequest("BYE"); !ok {
		t.Error("sipp received no BYE")
	}
	mustEvent(ctx, t, phone, EventCallClosed)
}

// TestSippHangsUpOnBaresip: SIPp UAS answers and sends BYE; the phone sees the call close.
func TestSippHangsUpOnBaresip(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "baresip")
	ctx := testCtx(t, 25*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer_bye.xml", Hold: 500 * time.Millisecond})
	phone := startPhone(ctx, t, BaresipOptions{})
	if err := phone.Dial(ctx, uas.URI("x")); err != nil {
		t.Fatal(err)
	}
	mustEvent(ctx, t, phone, EventCallEstablished)
	mustEvent(ctx, t, phone, EventCallClosed)
	res := waitOK(ctx, t, uas, "uas")
	if got := res.FinalResponse("BYE"); got != 200 {
		t.Errorf("phone answered BYE with %d", got)
	}
}

// TestBaresipDTMF: RFC 4733 digits and in-band tones from the phone reach SIPp.
func TestBaresipDTMF(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "baresip", "tcpdump", "root")
	ctx := testCtx(t, 25*time.Second)
	uas := startUAS(ctx, t, SippOptions{Scenario: "uas_answer.xml", CaptureRTP: true})
	phone := startPhone(ctx, t, BaresipOptions{})
	if err := phone.Dial(ctx, uas.URI("ivr")); err != nil {
		t.Fatal(err)
	}
	mustEvent(ctx, t, phone, EventCallEstablished)
	if err := phone.SendDTMF(ctx, "159#"); err != nil {
		t.Fatal(err)
	}
	inband := filepath.Join(t.TempDir(), "dtmf.wav")
	if err := WriteWAV(inband, Concat(Silence(200*time.Millisecond), DTMFTones("42", 120*time.Millisecond, 120*time.Millisecond)), PhoneRate); err != nil {
		t.Fatal(err)
	}
	if err := phone.SetAudioSource(ctx, inband); err != nil {
		t.Fatal(err)
	}
	// Let the tones play: the phone's RTP is captured; stop once enough has gone.
	time.Sleep(1200 * time.Millisecond)
	if err := phone.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	res := waitOK(ctx, t, uas, "uas")
	if got := Digits(res.RTP, PTTelephoneEvent); got != "159#" {
		t.Errorf("RFC 4733 digits from phone = %q, want 159#", got)
	}
	if got := DetectDTMF(DecodeAudio(res.RTP), PhoneRate); got != "42" {
		t.Errorf("in-band digits from phone = %q, want 42", got)
	}
}

// TestBaresipRegisters: the phone registers with digest auth to a SIPp registrar.
func TestBaresipRegisters(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "baresip")
	for _, tc := range []struct {
		name, password string
		want           int
	}{{"good", "s3cret", 200}, {"bad", "wrong", 403}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t, 20*time.Second)
			reg := startUAS(ctx, t, SippOptions{Scenario: "uas_register.xml", AuthUser: "phone", AuthPassword: "s3cret"})
			phone := startPhone(ctx, t, BaresipOptions{Registrar: reg.Addr(), User: "phone", Password: tc.password})
			err := phone.WaitRegistered(ctx)
			if (err == nil) != (tc.want == 200) {
				t.Errorf("WaitRegistered: %v", err)
			}
			res := waitOK(ctx, t, reg, "registrar")
			sent := res.SentResponses("REGISTER")
			if len(sent) != 2 || sent[0] != 401 || sent[1] != tc.want {
				t.Errorf("registrar sent %v, want [401 %d]", sent, tc.want)
			}
			regs := 0
			for _, m := range res.Received() {
				if m.Method == "REGISTER" {
					regs++
					if regs == 2 && !strings.Contains(m.Header("Authorization"), `username="phone"`) {
						t.Errorf("second REGISTER Authorization = %q", m.Header("Authorization"))
					}
				}
			}
		})
	}
}

// TestSpeechReachesPhone: flite speech streamed by SIPp is what the phone records.
func TestSpeechReachesPhone(t *testing.T) {
	t.Parallel()
	Require(t, "sipp", "baresip", "flite", "sox")
	ctx := testCtx(t, 25*time.Second)
	speech := filepath.Join(t.TempDir(), "speech.wav")
	if err := Speak(ctx, "This is your bank. Please read me the code we just sent you.", speech, "flite"); err != nil {
		t.Fatal(err)
	}
	want, _, err := ReadWAV(speech)
	if err != nil {
		t.Fatal(err)
	}
	phone := startPhone(ctx, t, BaresipOptions{AutoAnswer: true, Record: true})
	res, err := RunSipp(ctx, t, SippOptions{
		Scenario: "uac_call.xml", Remote: phone.SIPAddr(), Service: "phone",
		Audio: speech, Hold: time.Duration(len(want))*time.Second/PhoneRate + 500*time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("uac: %s", res.Summary())
	}
	mustEvent(ctx, t, phone, EventCallClosed)
	got := heard(t, phone)
	if c := Contains(got, want, PhoneRate); c < 0.8 {
		t.Errorf("the phone's recording matches the speech at %.2f, want > 0.8", c)
	} else {
		t.Logf("speech envelope correlation %.2f", c)
	}
}

// TestBaresipStartsAgainWhenItsPortIsTaken: another process binds baresip's
// SIP port between the pick and baresip's start; baresip exits with
// "Address already in use" and is started again on new ports. Not parallel:
// it replaces the port picker.
func TestBaresipStartsAgainWhenItsPortIsTaken(t *testing.T) {
	Require(t, "baresip")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	taken, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	squatter, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", taken))
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	pick, picks := baresipPort, 0
	baresipPort = func() (int, error) {
		if picks++; picks == 1 {
			return taken, nil
		}
		return pick()
	}
	defer func() { baresipPort = pick }()

	// startPhone fails the test unless baresip started and took its
	// account over the control connection.
	b := startPhone(ctx, t, BaresipOptions{User: "retry"})
	if picks != 2 {
		t.Errorf("port picked %d times, want 2 (the taken one, then a free one)", picks)
	}
	if b.SIPAddr() == fmt.Sprintf("127.0.0.1:%d", taken) {
		t.Errorf("baresip reports the taken port %s", b.SIPAddr())
	}
}
