package e2e

import (
	"context"
	"database/sql"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"

	_ "modernc.org/sqlite" // a second writer on clearline's database
)

// An ordinary inbound call: the provider (SIPp) rings the line, the phone
// (baresip) answers, audio flows both ways through clearline's relay, and
// when the caller hangs up the phone's leg is cleared at once.
func TestInboundCallTwoWayAudioAndCallerHangup(t *testing.T) {
	toneToPhone := wav(t, "440.wav", testpeer.Tone([]float64{440}, 3*time.Second))
	toneFromPhone := wav(t, "1000.wav", testpeer.Tone([]float64{1000}, 10*time.Second))
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true, AudioSource: toneFromPhone}})

	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber,
		CallerID: callerNumber, CallerName: "Dr Patel", Audio: toneToPhone,
		Hold: 3 * time.Second, CaptureRTP: canCapture(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("provider call failed: %s", res.Summary())
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("phone leg not cleared after the caller's BYE: %v", err)
	}

	heard, _, err := testpeer.ReadWAV(e.phone.RecordingPath())
	if err != nil {
		t.Fatalf("phone recording: %v", err)
	}
	if got := testpeer.ToneEnergy(heard, testpeer.PhoneRate, 440); got < 0.5 {
		t.Errorf("phone heard the caller's 440 Hz tone with energy share %.2f, want >= 0.5", got)
	}
	if canCapture() {
		back := testpeer.DecodeAudio(res.RTP)
		if got := testpeer.ToneEnergy(back, testpeer.PhoneRate, 1000); got < 0.5 {
			t.Errorf("caller heard the phone's 1 kHz tone with energy share %.2f, want >= 0.5 (%d packets)", got, len(res.RTP))
		}
	}
	// The phone saw the caller's number and name.
	if ev, ok := findEvent(e.phone, testpeer.EventCallEstablished); !ok || !strings.Contains(ev.PeerURI, strings.TrimPrefix(callerNumber, "+")) {
		t.Errorf("phone's call peer = %q, want the caller's number", ev.PeerURI)
	}

	c := e.waitCall(func(c store.Call) bool { return c.Direction == "inbound" })
	if c.Outcome != "completed" || c.HangupBy != "caller" || c.From != callerNumber || c.LineID != "mum" || c.AnsweredAt == nil || c.EndedAt == nil {
		t.Errorf("call log row = %+v", c)
	}
	if d := c.EndedAt.Sub(*c.AnsweredAt); d < 2*time.Second || d > 10*time.Second {
		t.Errorf("logged talk time %v, want about 3s", d)
	}
}

// The phone hangs up an inbound call: the provider gets its BYE.
func TestInboundCallPhoneHangsUp(t *testing.T) {
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true}})
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call_wait_bye.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber,
		Transport: "tcp", Timeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	hungUp := time.Now()
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	res, err := sipp.Wait(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("provider (over TCP) did not get a clean BYE: %s", res.Summary())
	}
	bye, ok := res.ReceivedRequest("BYE")
	if !ok {
		t.Fatal("provider received no BYE")
	}
	t.Logf("BYE reached the provider %v after the phone hung up (baresip command to SIPp receipt)", bye.Time.Sub(hungUp))
	c := e.waitCall(func(c store.Call) bool { return c.Direction == "inbound" })
	if c.Outcome != "completed" || c.HangupBy != "callee" {
		t.Errorf("call log row = %+v", c)
	}
}

// The phone dials out: the call goes to the provider with a fresh dialog,
// audio flows (SIPp echoes it back), and the phone's hang-up reaches the provider.
func TestOutboundCallAudioAndPhoneHangup(t *testing.T) {
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", RTPEcho: true, Timeout: 40 * time.Second, Calls: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	tone := wav(t, "1000.wav", testpeer.Tone([]float64{1000}, 10*time.Second))
	e := newEnv(t, envOptions{trunk: uas.Addr(), phone: testpeer.BaresipOptions{Record: true, AudioSource: tone}})

	var sipCallIDs []string
	for i := 0; i < 2; i++ {
		if err := e.phone.Dial(e.ctx, "01632960002"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
			t.Fatal(err)
		}
		if err := e.phone.WaitRecorded(e.ctx, 1500*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if err := e.phone.Hangup(e.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
			t.Fatal(err)
		}
		heard, _, err := testpeer.ReadWAV(e.phone.RecordingPath())
		if err != nil {
			t.Fatal(err)
		}
		if got := testpeer.ToneEnergy(heard, testpeer.PhoneRate, 1000); got < 0.4 {
			t.Errorf("call %d: phone did not hear its tone echoed by the provider (energy share %.2f)", i, got)
		}
		time.Sleep(1100 * time.Millisecond) // baresip names recordings by the second
	}
	res, err := uas.Wait(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Successful != 2 {
		t.Fatalf("provider: %s", res.Summary())
	}
	var ports []int
	for _, m := range res.Messages {
		if m.Dir == testpeer.Received && m.Method == "INVITE" {
			sipCallIDs = append(sipCallIDs, m.CallID())
			if !strings.HasPrefix(m.RequestURI, "sip:01632960002@") {
				t.Errorf("provider got Request-URI %q", m.RequestURI)
			}
			if a, ok := testpeer.ParseSDPAudio(m.Body); ok {
				ports = append(ports, a.Port)
			}
		}
	}
	if len(sipCallIDs) != 2 || sipCallIDs[0] == sipCallIDs[1] {
		t.Errorf("two outgoing calls must be two dialogs, got Call-IDs %v", sipCallIDs)
	}
	if len(ports) != 2 || ports[0] == ports[1] {
		t.Errorf("two outgoing calls must use new media ports, got %v", ports)
	}
	for _, c := range e.calls() {
		if c.Direction != "outbound" || c.Outcome != "completed" || c.HangupBy != "caller" || c.To != "01632960002" || c.From != lineNumber {
			t.Errorf("call log row = %+v", c)
		}
	}
}

// CANCEL before answer: the ringing phone stops ringing and the caller gets 487.
func TestCancelBeforeAnswer(t *testing.T) {
	e := newEnv(t, envOptions{})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_cancel.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber, Ring: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("caller's CANCEL not honoured: %s", res.Summary())
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallIncoming); err != nil {
		t.Fatalf("phone never rang: %v", err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("phone still ringing after the caller cancelled: %v", err)
	}
	c := e.waitCall(func(c store.Call) bool { return true })
	if c.Outcome != "cancelled" || c.AnsweredAt != nil {
		t.Errorf("call log row = %+v", c)
	}
}

// INVITEs from anywhere but the provider are refused with 403 and the phone
// never rings.
func TestUnknownSourceRejected(t *testing.T) {
	e := newEnv(t, envOptions{})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_expect_code.xml", Remote: e.sipAddr(), Service: lineNumber,
		CallerID: callerNumber, ExpectCode: 403, LocalIP: "127.0.0.2",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("stranger not refused with 403: %s", res.Summary())
	}
	if evs := e.phone.Events(); hasType(evs, testpeer.EventCallIncoming) {
		t.Errorf("phone rang for a stranger: %v", evs)
	}
	if !strings.Contains(e.logs.String(), "invite refused") {
		t.Error("no log line for the refused INVITE")
	}
}

// 999 dialled by the phone goes straight to the provider and is answered.
func TestEmergencyCallPassesStraightThrough(t *testing.T) {
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{Scenario: "uas_answer.xml", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr()})
	dialled := time.Now()
	if err := e.phone.Dial(e.ctx, "999"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("999 not connected: %v", err)
	}
	connected := time.Since(dialled)
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	res, err := uas.Wait(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("provider: %s", res.Summary())
	}
	inv, ok := res.ReceivedRequest("INVITE")
	if !ok || !strings.HasPrefix(inv.RequestURI, "sip:999@") {
		t.Fatalf("provider did not receive the 999 INVITE: %+v", inv)
	}
	t.Logf("999: dial to connected %v (through clearline, including baresip and SIPp)", connected)
	c := e.waitCall(func(c store.Call) bool { return true })
	if !c.Emergency || c.To != "999" || c.Outcome != "completed" || c.Decision != "" {
		t.Errorf("call log row = %+v", c)
	}
}

// An emergency call never waits for the call log: with the database held
// by another writer, 999 still reaches the provider and connects; its row
// is written once the database is free again.
func TestEmergencyCallNotHeldByTheStore(t *testing.T) {
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{Scenario: "uas_answer.xml", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr()})

	// Another writer takes SQLite's write lock and keeps it while 999 is
	// dialled (clearline's writes wait for it, up to busy_timeout).
	db, err := sql.Open("sqlite", "file:"+e.cfg.Store.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lock, err := db.Conn(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(e.ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	if err := e.phone.Dial(e.ctx, "999"); err != nil {
		t.Fatal(err)
	}
	_, connErr := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished)
	var inLog int // read past the held lock (WAL readers do not wait)
	if err := db.QueryRowContext(e.ctx, "SELECT count(*) FROM calls").Scan(&inLog); err != nil {
		t.Fatalf("read the call log: %v", err)
	}
	if _, err := lock.ExecContext(e.ctx, "ROLLBACK"); err != nil {
		t.Fatalf("release the write lock: %v", err)
	}
	if connErr != nil {
		t.Fatalf("999 not connected while the call log was busy: %v", connErr)
	}
	if inLog != 0 {
		t.Fatalf("the call log had %d rows while another writer held it", inLog)
	}
	if strings.Contains(e.logs.String(), "call log:") {
		// The call waited for the store until busy_timeout gave up.
		t.Fatalf("999 waited for the call log: %s", e.logs.Tail(2000))
	}
	if err := e.phone.Hangup(e.ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := uas.Wait(e.ctx); err != nil || !res.OK() {
		t.Fatalf("provider: %v %v", err, res)
	}
	c := e.waitCall(func(c store.Call) bool { return true })
	if !c.Emergency || c.To != "999" || c.Outcome != "completed" || c.AnsweredAt == nil {
		t.Errorf("call log row = %+v", c)
	}
}

// The provider is busy: the phone hears 486 and the log says busy.
func TestOutboundBusy(t *testing.T) {
	uas, err := testpeer.StartSipp(context.Background(), t, testpeer.SippOptions{Scenario: "uas_busy.xml", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{trunk: uas.Addr()})
	if err := e.phone.Dial(e.ctx, "01632960003"); err != nil {
		t.Fatal(err)
	}
	ev, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ev.Param, "486") {
		t.Errorf("phone's call closed with %q, want 486 Busy Here", ev.Param)
	}
	if res, err := uas.Wait(e.ctx); err != nil || !res.OK() {
		t.Fatalf("provider: %v %s", err, res.Summary())
	}
	if c := e.waitCall(func(store.Call) bool { return true }); c.Outcome != "busy" {
		t.Errorf("call log row = %+v", c)
	}
}

// An offer with no codec clearline can carry is refused with 488 before the
// phone rings.
func TestSDPWithNoCommonCodec(t *testing.T) {
	e := newEnv(t, envOptions{})
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "testdata/uac_g729_only.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("G.729-only offer not refused with 488: %s", res.Summary())
	}
	if hasType(e.phone.Events(), testpeer.EventCallIncoming) {
		t.Error("phone rang for a call whose media it could never carry")
	}
	if !strings.Contains(e.logs.String(), "no common codec") {
		t.Error("no log line naming the codec problem")
	}
}

// Malformed SIP never crashes clearline: it keeps answering afterwards.
func TestMalformedSIPDoesNotCrash(t *testing.T) {
	e := newEnv(t, envOptions{noPhone: true})
	conn, err := net.Dial("udp", e.sipAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	junk := []string{
		"\x00\x01\x02garbage",
		"INVITE sip:x SIP/2.0\r\n\r\n",
		"INVITE sip:+441632960001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 9999\r\n\r\nv=0",
		"INVITE sip:+441632960001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKy\r\nFrom: <sip:+442071838750@127.0.0.1>;tag=1\r\nTo: <sip:+441632960001@127.0.0.1>\r\nCall-ID: y\r\nCSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1:9>\r\nContent-Type: application/sdp\r\nContent-Length: 12\r\n\r\nnot an sdp!!",
		"SIP/2.0 200 OK\r\n\r\n",
		strings.Repeat("A", 1400),
	}
	for _, j := range junk {
		if _, err := conn.Write([]byte(j)); err != nil {
			t.Fatal(err)
		}
	}
	// clearline still answers a well-formed OPTIONS.
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{Scenario: "testdata/uac_options.xml", Remote: e.sipAddr()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("clearline stopped answering after malformed input: %s", res.Summary())
	}
}

// A call whose provider leg dies (its RTP stops after a second) is ended by
// the RTP inactivity timer: both legs get BYE.
func TestRTPInactivityEndsDeadCall(t *testing.T) {
	e := newEnv(t, envOptions{rtpTimeout: 2 * time.Second, phone: testpeer.BaresipOptions{AutoAnswer: true}})
	start := time.Now()
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call_wait_bye.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: callerNumber,
		Audio:   wav(t, "1s.wav", testpeer.Tone([]float64{440}, time.Second)),
		Timeout: 20 * time.Second, RecvTimeout: 15 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("silent provider leg not cleared by clearline: %s", res.Summary())
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("phone leg not cleared: %v", err)
	}
	c := e.waitCall(func(store.Call) bool { return true })
	if c.HangupBy != "clearline" || c.Outcome != "completed" {
		t.Errorf("call log row = %+v", c)
	}
	if !strings.Contains(e.logs.String(), "rtp inactivity") {
		t.Error("no log line naming the RTP timeout")
	}
	t.Logf("dead call cleared %v after it started (1 s of audio + 2 s timeout)", time.Since(start).Round(100*time.Millisecond))
}

// A phone with the wrong password cannot register or place calls.
func TestRegistrarRejectsWrongPassword(t *testing.T) {
	e := newEnv(t, envOptions{noPhone: true})
	ph, err := testpeer.StartBaresip(e.ctx, t, testpeer.BaresipOptions{Registrar: e.sipAddr(), User: phoneUser, Password: "wrong-password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ph.WaitRegistered(e.ctx); err == nil {
		t.Fatal("phone registered with a wrong password")
	}
	if e.app.Gateway.Registered("mum") {
		t.Fatal("binding stored for a phone that failed authentication")
	}
}

func findEvent(b *testpeer.Baresip, kind string) (testpeer.BaresipEvent, bool) {
	for _, ev := range b.Events() {
		if ev.Type == kind {
			return ev, true
		}
	}
	return testpeer.BaresipEvent{}, false
}

func hasType(evs []testpeer.BaresipEvent, kind string) bool {
	for _, ev := range evs {
		if ev.Type == kind {
			return true
		}
	}
	return false
}
