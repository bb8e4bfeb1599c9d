package e2e

import (
	"context"
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// clearline registers to a provider that demands digest authentication.
func TestRegistersToProviderWithDigest(t *testing.T) {
	reg, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_register.xml", AuthUser: "trunk-user", AuthPassword: "trunk-secret-1", Expires: 300, Timeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: reg.Addr(), trunkUser: "trunk-user", trunkPass: "trunk-secret-1", register: true, noPhone: true})
	res, err := reg.Wait(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || !containsInt(res.SentResponses("REGISTER"), 200) {
		t.Fatalf("provider did not accept clearline's credentials: sent %v; %s", res.SentResponses("REGISTER"), res.Summary())
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(e.logs.String(), "registered to trunk") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(e.logs.String(), "registered to trunk") {
		t.Error("no log line for the registration")
	}
}

// An outgoing call answers the provider's digest challenge, and
// the provider's PCMA is transcoded to the phone's PCMU.
func TestOutboundDigestAuthAndTranscoding(t *testing.T) {
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "testdata/uas_auth_invite.xml", RTPEcho: true, Timeout: 40 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	tone := wav(t, "1000.wav", testpeer.Tone([]float64{1000}, 10*time.Second))
	e := newEnv(t, envOptions{trunk: uas.Addr(), trunkUser: "trunk-user", trunkPass: "trunk-secret-1",
		phone: testpeer.BaresipOptions{Record: true, AudioSource: tone, AccountParams: ";audio_codecs=PCMU"}})
	if err := e.phone.Dial(e.ctx, "01142345670"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("call not established through an authenticating provider: %v", err)
	}
	if err := e.phone.WaitRecorded(e.ctx, 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	res, err := uas.Wait(e.ctx)
	if err != nil || !res.OK() {
		t.Fatalf("provider: %v %s", err, res.Summary())
	}
	heard, _, err := testpeer.ReadWAV(e.phone.RecordingPath())
	if err != nil {
		t.Fatal(err)
	}
	if got := testpeer.ToneEnergy(heard, testpeer.PhoneRate, 1000); got < 0.4 {
		t.Errorf("phone did not hear its tone back through PCMU->PCMA->PCMU (energy share %.2f)", got)
	}
}

// Early media: the provider's 183 with SDP reaches the phone as progress
// with audio before the answer.
func TestEarlyMediaFromProvider(t *testing.T) {
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "testdata/uas_early_media.xml", RTPEcho: true, Timeout: 40 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	tone := wav(t, "1000.wav", testpeer.Tone([]float64{1000}, 10*time.Second))
	e := newEnv(t, envOptions{trunk: uas.Addr(), phone: testpeer.BaresipOptions{Record: true, AudioSource: tone}})
	if err := e.phone.Dial(e.ctx, "01142345670"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallProgress); err != nil {
		t.Fatalf("phone got no early media (183): %v", err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.events.find("early-media"); !ok {
		t.Error("clearline did not relay early media")
	}
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := uas.Wait(e.ctx); err != nil || !res.OK() {
		t.Fatalf("provider: %v %s", err, res.Summary())
	}
}

// The held-line attack: after the phone hangs up, the fraudster's side
// keeps sending audio to the old media port. None of it may reach the phone,
// and the phone's next call (to 101, to check) is a new call on new ports.
func TestHeldLineAttackNeverReachesNextCall(t *testing.T) {
	// The real 101 answers and echoes (the phone sends silence, so the
	// phone should hear silence).
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{Scenario: "uas_answer.xml", RTPEcho: true, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr(), phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}})
	fraud := testpeer.Tone([]float64{440}, 30*time.Second)
	caller, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call_wait_bye.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber,
		Audio: wav(t, "fraud.wav", fraud), Timeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	if err := e.phone.WaitRecorded(e.ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	res, err := caller.Wait(e.ctx)
	if err != nil || !res.OK() {
		t.Fatalf("fraudster's leg not sent BYE: %v %s", err, res.Summary())
	}
	// The port clearline gave the fraudster's leg, from its 200 OK.
	var oldPort int
	for _, m := range res.Messages {
		if m.Dir == testpeer.Received && m.StatusCode == 200 && m.CSeqMethod() == "INVITE" {
			if a, ok := testpeer.ParseSDPAudio(m.Body); ok {
				oldPort = a.Port
			}
		}
	}
	if oldPort == 0 {
		t.Fatal("no SDP from clearline in the fraudster's trace")
	}
	// clearline has closed that port: it can be bound by anyone now.
	probe, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: oldPort})
	if err != nil {
		t.Fatalf("clearline still holds the cleared call's media port %d: %v", oldPort, err)
	}
	probe.Close()
	// The fraudster ignores the BYE and keeps streaming from the same address.
	src, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: caller.MediaPort()})
	if err != nil {
		t.Fatalf("bind the fraudster's media address: %v", err)
	}
	defer src.Close()
	stop := make(chan struct{})
	sent := make(chan int, 1)
	go func() {
		n := 0
		dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: oldPort}
		pkt := make([]byte, 12+160)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				sent <- n
				return
			case <-tick.C:
			}
			pkt[0], pkt[1] = 0x80, 0
			binary.BigEndian.PutUint16(pkt[2:], uint16(i))
			binary.BigEndian.PutUint32(pkt[4:], uint32(i*160))
			binary.BigEndian.PutUint32(pkt[8:], 0xfeed)
			copy(pkt[12:], testpeer.EncodePCMU(fraud[(i*160)%len(fraud):][:160]))
			if _, err := src.WriteToUDP(pkt, dst); err == nil {
				n++
			}
		}
	}()
	time.Sleep(1100 * time.Millisecond) // a new recording file (baresip names them by the second)
	if err := e.phone.Dial(e.ctx, "101"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	if err := e.phone.WaitRecorded(e.ctx, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	n := <-sent
	recs := e.phone.Recordings()
	if len(recs) < 2 {
		t.Fatalf("want two recordings, got %v", recs)
	}
	heard, _, err := testpeer.ReadWAV(recs[len(recs)-1])
	if err != nil {
		t.Fatal(err)
	}
	if got := testpeer.ToneEnergy(heard, testpeer.PhoneRate, 440); got > 0.05 {
		t.Errorf("the fraudster's audio reached the phone's next call (440 Hz energy share %.2f)", got)
	}
	if rms := testpeer.RMS(heard); rms > 50 {
		t.Errorf("the phone's 101 call carried sound (RMS %.0f) where the provider sent silence", rms)
	}
	t.Logf("fraudster sent %d packets to the cleared port %d; none reached the phone", n, oldPort)
	calls := e.calls()
	if len(calls) != 2 || calls[0].To != "101" || calls[1].HangupBy != "callee" {
		t.Errorf("call log = %+v", calls)
	}
	_ = store.Call{}
}

func containsInt(l []int, v int) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}
