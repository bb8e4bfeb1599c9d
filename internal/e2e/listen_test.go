package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearline/clearline/internal/alert"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/prompts"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

// An unknown (not trusted) caller for the listening tests; the line rings
// unknown callers through (unknown_callers = allow) so the test is about
// listening, not the challenge.
const strangerNumber = "+441142345678"

// receivers are a real SMTP server (emersion/go-smtp) and a webhook
// endpoint that count what reaches them.
type receivers struct {
	mu     sync.Mutex
	mails  []string
	hooks  []alert.Payload
	raw    []string // webhook bodies as received
	smtp   string
	hook   string
	closed func()
}

func (r *receivers) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{r: r}, nil }

type mailSession struct{ r *receivers }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailSession) Reset()                               {}
func (s *mailSession) Logout() error                        { return nil }
func (s *mailSession) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	s.r.mu.Lock()
	s.r.mails = append(s.r.mails, string(b))
	s.r.mu.Unlock()
	return err
}

func startReceivers(t *testing.T) *receivers {
	r := &receivers{}
	srv := smtp.NewServer(r)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var p alert.Payload
		body, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		r.mu.Lock()
		r.hooks = append(r.hooks, p)
		r.raw = append(r.raw, string(body))
		r.mu.Unlock()
	}))
	r.smtp, r.hook = l.Addr().String(), hs.URL
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return r
}

func (r *receivers) counts() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.mails), len(r.hooks)
}

// waitFor waits until at least mails e-mails and hooks webhooks have
// arrived, or within has passed.
func (r *receivers) waitFor(mails, hooks int, within time.Duration) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if m, h := r.counts(); m >= mails && h >= hooks {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// oneEach waits for an e-mail and a webhook, then settle longer (so that a
// second alert would be seen), and returns the e-mail and the webhook
// body, failing the test unless exactly one of each arrived.
func (r *receivers) oneEach(t *testing.T, settle time.Duration) (mail, hook string) {
	t.Helper()
	r.waitFor(1, 1, 15*time.Second)
	time.Sleep(settle)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.mails) != 1 || len(r.raw) != 1 {
		t.Fatalf("alerts received: %d e-mails, %d webhooks; want 1 of each", len(r.mails), len(r.raw))
	}
	return r.mails[0], r.raw[0]
}

func listeningConfig(r *receivers, onScam string) func(*config.Config) {
	return func(c *config.Config) {
		c.Listening.Recognizer = "embedded"
		c.Alerts.SMTPAddr, c.Alerts.SMTPFrom = r.smtp, "clearline@example.org"
		l := &c.Lines[0]
		l.UnknownCallers = "allow"
		l.OnScam = onScam
		l.AlertEmails = []string{"daughter@example.org"}
		l.AlertWebhooks = []string{r.hook}
	}
}

func speak(t *testing.T, text string) []int16 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := t.TempDir() + "/speech.wav"
	if err := testpeer.Speak(ctx, text, p, "flite"); err != nil {
		t.Fatalf("speak: %v", err)
	}
	pcm, _, err := testpeer.ReadWAV(p)
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// A courier-fraud call from a stranger: flite speaks a police
// impersonation asking for cash for a courier; SIPp, as the provider,
// sends it as PCMU; baresip, the protected phone, auto-answers and
// records. The phone must hear the warning and not the caller's words
// after the verdict; the family's SMTP and webhook receivers get one
// alert each; the incident is stored with the tactics.
func TestCourierFraudCallIsWarnedAlertedAndEnded(t *testing.T) {
	testpeer.Require(t, "flite")
	rcv := startReceivers(t)
	var mu sync.Mutex
	var scamAt time.Time
	var verdicts []string
	e := newEnv(t, envOptions{
		phone:     testpeer.BaresipOptions{AutoAnswer: true, Record: true},
		configure: listeningConfig(rcv, "warn-and-end"),
		onAssessment: func(c *gateway.Call, a detect.Assessment) {
			mu.Lock()
			defer mu.Unlock()
			verdicts = append(verdicts, a.Verdict.String())
			if a.Verdict == detect.Scam && scamAt.IsZero() {
				scamAt = time.Now()
			}
		},
	})
	intro := speak(t, "Hello, this is detective inspector Burns from the metropolitan police. We have arrested a man who was using your bank card.")
	// The first request ends with request1; the verdict is timed from there.
	request1 := speak(t, "We need you to withdraw cash from your bank today.")
	request := testpeer.Concat(request1, speak(t, "A courier will come to your house to collect the cash."))
	after := speak(t, "Remember, the staff at your branch cannot be trusted, so say the money is for a new kitchen. Write down everything I tell you now, and keep the phone next to you all afternoon.")
	lead := testpeer.Silence(time.Second)
	gap := testpeer.Silence(1500 * time.Millisecond)
	audio := wav(t, "scam.wav", testpeer.Concat(lead, intro, gap, request, gap, after, testpeer.Silence(10*time.Second)))
	requestEnd := time.Duration(len(lead)+len(intro)+len(gap)+len(request1)) * time.Second / testpeer.PhoneRate

	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: strangerNumber,
		Audio: audio, Hold: 45 * time.Second, Timeout: 90 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	answered, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished)
	if err != nil {
		t.Fatalf("phone never answered: %v", err)
	}
	_ = answered
	answerAt := time.Now()
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallClosed); err != nil {
		t.Fatalf("clearline did not end the call after the warning: %v", err)
	}
	sipp.Stop()

	mu.Lock()
	flagged := scamAt
	mu.Unlock()
	if flagged.IsZero() {
		t.Fatalf("no scam verdict; verdicts %v", verdicts)
	}
	// Measured: from the end of the first request ("...withdraw cash from
	// your bank today.") in the caller's audio, which SIPp starts at the
	// answer, to the verdict, when the warning starts playing.
	t.Logf("FIGURE warning latency: verdict and warning %.2fs after the end of the first request in the audio", (flagged.Sub(answerAt) - requestEnd).Seconds())

	heard, _, err := testpeer.ReadWAV(e.phone.RecordingPath())
	if err != nil {
		t.Fatal(err)
	}
	c := e.waitCall(func(c store.Call) bool { return c.EndedAt != nil })
	inc, err := e.app.Store.GetIncident(e.ctx, c.ID)
	if err != nil {
		t.Fatalf("no incident stored: %v", err)
	}
	warnPCM, err := prompts.Load(prompts.Warning("cash"))
	if err != nil {
		t.Fatal(err)
	}
	if got := testpeer.Contains(heard, warnPCM, testpeer.PhoneRate); got < 0.7 {
		t.Errorf("the phone did not hear the cash warning (envelope correlation %.2f); incident %+v", got, inc)
	}
	if got := testpeer.Contains(heard, after, testpeer.PhoneRate); got > 0.5 {
		t.Errorf("the phone heard the caller's words after the verdict (correlation %.2f)", got)
	}
	if got := testpeer.Contains(heard, intro, testpeer.PhoneRate); got < 0.7 {
		t.Errorf("the phone did not hear the caller before the verdict (correlation %.2f): the test proves nothing", got)
	}
	if c.HangupBy != "clearline" || c.Verdict != "scam" {
		t.Errorf("call log row %+v", c)
	}
	if inc.Verdict != "scam" || !containsStr(inc.Tactics, "authority:police") || !anyPrefix(inc.Tactics, "request:") || inc.District != "AL1" {
		t.Errorf("incident %+v", inc)
	}
	t.Logf("incident tactics %v; transcript %+v", inc.Tactics, inc.Transcript)
	// One alert on each channel, and no second one after a while.
	rcv.waitFor(1, 1, 15*time.Second)
	time.Sleep(3 * time.Second)
	m, h := rcv.counts()
	if m != 1 || h != 1 {
		t.Fatalf("alerts received: %d e-mails, %d webhooks; want exactly 1 of each", m, h)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if !strings.Contains(rcv.mails[0], "police officer") || rcv.hooks[0].CallID != c.ID || rcv.hooks[0].Verdict != "scam" {
		t.Errorf("alert contents: mail %q webhook %+v", rcv.mails[0], rcv.hooks[0])
	}
}

// A GP surgery booking an appointment: no warning, no alert, no incident.
func TestBenignCallIsLeftAlone(t *testing.T) {
	testpeer.Require(t, "flite")
	rcv := startReceivers(t)
	e := newEnv(t, envOptions{phone: testpeer.BaresipOptions{AutoAnswer: true, Record: true}, configure: listeningConfig(rcv, "warn-and-end")})
	speech := speak(t, "Good morning, this is the Maltings surgery. The nurse would like to book you in for your flu jab. We have Tuesday at eleven or Wednesday at three. Please call us back when you can. Thank you, goodbye.")
	audio := wav(t, "gp.wav", testpeer.Concat(testpeer.Silence(time.Second), speech, testpeer.Silence(2*time.Second)))
	res, err := testpeer.RunSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.sipAddr(), Service: lineNumber, CallerID: strangerNumber,
		Audio: audio, Hold: time.Duration(len(speech))*time.Second/testpeer.PhoneRate + 3*time.Second, Timeout: 60 * time.Second,
	})
	if err != nil || !res.OK() {
		t.Fatalf("call failed: %v %s", err, res.Summary())
	}
	c := e.waitCall(func(c store.Call) bool { return c.EndedAt != nil })
	time.Sleep(3 * time.Second) // held suspicious alerts go at call end; give the dispatcher time
	heard, _, err := testpeer.ReadWAV(e.phone.RecordingPath())
	if err != nil {
		t.Fatal(err)
	}
	if got := testpeer.Contains(heard, speech, testpeer.PhoneRate); got < 0.7 {
		t.Errorf("the phone did not hear the whole call (correlation %.2f)", got)
	}
	warnPCM, _ := prompts.Load(prompts.Warning("generic"))
	if got := testpeer.Contains(heard, warnPCM, testpeer.PhoneRate); got > 0.5 {
		t.Errorf("a warning was played on a benign call (correlation %.2f)", got)
	}
	if _, err := e.app.Store.GetIncident(e.ctx, c.ID); !store.IsNotFound(err) {
		t.Errorf("incident stored for a benign call: %v", err)
	}
	if m, h := rcv.counts(); m != 0 || h != 0 {
		t.Errorf("alerts sent for a benign call: %d e-mails, %d webhooks", m, h)
	}
	if c.HangupBy != "caller" || c.Verdict != "" {
		t.Errorf("call log row %+v", c)
	}
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func anyPrefix(l []string, p string) bool {
	for _, x := range l {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}
