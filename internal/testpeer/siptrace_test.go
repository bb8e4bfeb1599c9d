package testpeer

import (
	"strings"
	"testing"
	"time"
)

func TestParseSIPTrace(t *testing.T) {
	t.Parallel()
	trace := strings.Join([]string{
		"----------------------------------------------- 2026-11-25 02:10:42.731247",
		"UDP message received [10] bytes :",
		"",
		"INVITE sip:svc@127.0.0.1:5060 SIP/2.0\r",
		"v: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r",
		"f: \"Bank\" <sip:+441632960001@127.0.0.1>;tag=1\r",
		"CSeq: 1 INVITE\r",
		"Subject: folded\r",
		"  line\r",
		"Content-Type: application/sdp\r",
		"\r",
		"v=0\r",
		"c=IN IP4 127.0.0.1\r",
		"m=audio 4000 RTP/AVP 0 101\r",
		"a=rtpmap:101 telephone-event/8000\r",
		"a=sendonly\r",
		"",
		"----------------------------------------------- 2026-11-25 02:10:42.731379",
		"Aborting call on unexpected message",
		"----------------------------------------------- 2026-11-25 02:10:42.731400",
		"UDP message sent (5 bytes):",
		"",
		"SIP/2.0 486 Busy Here\r",
		"CSeq: 1 INVITE\r",
		"Content-Length: 0\r",
		"",
		"",
	}, "\n")
	ms := ParseSIPTrace(trace)
	if len(ms) != 2 {
		t.Fatalf("%d messages: %v", len(ms), ms)
	}
	inv, resp := ms[0], ms[1]
	if inv.Dir != Received || inv.Method != "INVITE" || inv.Transport != "UDP" || inv.RequestURI != "sip:svc@127.0.0.1:5060" {
		t.Errorf("invite %+v", inv)
	}
	if got := inv.Header("From"); got != `"Bank" <sip:+441632960001@127.0.0.1>;tag=1` {
		t.Errorf("From %q", got)
	}
	if got := inv.Header("via"); !strings.HasPrefix(got, "SIP/2.0/UDP") {
		t.Errorf("Via %q", got)
	}
	if got := inv.Header("Subject"); got != "folded line" {
		t.Errorf("Subject %q", got)
	}
	if want := time.Date(2026, 11, 25, 2, 10, 42, 731247000, time.Local); !inv.Time.Equal(want) {
		t.Errorf("time %v", inv.Time)
	}
	sdp, ok := ParseSDPAudio(inv.Body)
	if !ok || sdp.Port != 4000 || !sdp.HasEncoding("pcmu") || !sdp.HasEncoding("telephone-event") || sdp.Direction != "sendonly" || sdp.Addr != "127.0.0.1" {
		t.Errorf("sdp %+v", sdp)
	}
	if resp.Dir != Sent || resp.StatusCode != 486 || resp.Reason != "Busy Here" || resp.CSeqMethod() != "INVITE" {
		t.Errorf("response %+v", resp)
	}
	r := &SippResult{Messages: ms, Stats: parseStatCSV("A;SuccessfulCall(C);ResponseTime1(C);\n1;2;00:00:01:500000;\n")}
	if n, _ := r.StatInt("SuccessfulCall(C)"); n != 2 {
		t.Errorf("stat %v", r.Stats)
	}
	if d, _ := r.StatDuration("ResponseTime1(C)"); d != 1500*time.Millisecond {
		t.Errorf("duration %v", d)
	}
	if got := r.SentResponses("INVITE"); len(got) != 1 || got[0] != 486 {
		t.Errorf("sent responses %v", got)
	}
}
