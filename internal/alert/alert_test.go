package alert_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearline/clearline/internal/alert"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqlite"
)

// mailbox is a real SMTP server (emersion/go-smtp) that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }

type session struct {
	m  *mailbox
	to string
}

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@nowhere.invalid") {
		return &smtp.SMTPError{Code: 550, Message: "no such user"}
	}
	s.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, string(b))
	s.m.rcpt = append(s.m.rcpt, s.to)
	s.m.mu.Unlock()
	return err
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func startSMTP(t *testing.T) (*mailbox, string) {
	mb := &mailbox{}
	srv := smtp.NewServer(mb)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return mb, l.Addr().String()
}

func openStore(t *testing.T, path string) store.Store {
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestDeliveryRetriesAndNeverTwice(t *testing.T) {
	ctx := context.Background()
	mb, smtpAddr := startSMTP(t)
	var hits atomic.Int32
	var bodies []alert.Payload
	var keys []string
	var mu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable) // first attempt fails
			return
		}
		var p alert.Payload
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		bodies = append(bodies, p)
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		mu.Unlock()
	}))
	defer hook.Close()

	path := filepath.Join(t.TempDir(), "c.db")
	st := openStore(t, path)
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	inc := store.Incident{CallID: "call-1", LineID: "mum", Caller: "+441142345678", Verdict: "scam", Score: 0.95,
		Tactics: []string{"authority:police", "request:withdraw-cash"}, Explanation: "The caller said they were a police officer and asked you to withdraw cash.",
		Action: "warned and ended", FlaggedAt: now}
	recips := []store.AlertRecipient{
		{LineID: "mum", Channel: store.ChannelEmail, Target: "son@example.org", Name: "Tom"},
		{LineID: "mum", Channel: store.ChannelWebhook, Target: hook.URL},
		{LineID: "mum", Channel: store.ChannelEmail, Target: "ghost@nowhere.invalid"},
	}
	var alerts []store.Alert
	for _, r := range recips {
		alerts = append(alerts, alert.Compose(inc, "Mum's landline", r))
	}
	if err := st.RecordIncident(ctx, inc, alerts); err != nil {
		t.Fatal(err)
	}
	// The same incident recorded again (e.g. the detector re-assessed)
	// must not queue anything more.
	if err := st.RecordIncident(ctx, inc, alerts); err != nil {
		t.Fatal(err)
	}
	var results []string
	d := &alert.Dispatcher{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
		Senders:  map[string]alert.Sender{store.ChannelEmail: &alert.SMTP{Addr: smtpAddr, From: "clearline@example.org"}, store.ChannelWebhook: &alert.Webhook{Secret: "s3"}},
		OnResult: func(ch string, err error) { results = append(results, ch+":"+errString(err)) }}
	if n := d.RunOnce(ctx); n != 1 {
		t.Fatalf("first round sent %d, want 1 (e-mail; webhook 503; bad address refused)", n)
	}
	now = now.Add(time.Second)
	if n := d.RunOnce(ctx); n != 0 {
		t.Fatalf("retried before the back-off: sent %d", n)
	}
	// A restart: a new dispatcher on a reopened database after the back-off.
	st.Close()
	st2 := openStore(t, path)
	d2 := *d
	d2.Store = st2
	now = now.Add(10 * time.Second)
	if n := d2.RunOnce(ctx); n != 1 {
		t.Fatalf("after restart sent %d, want 1 (the webhook retry)", n)
	}
	now = now.Add(time.Hour)
	if n := d2.RunOnce(ctx); n != 0 {
		t.Fatalf("sent %d more after everything was delivered", n)
	}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if len(mb.msgs) != 1 || mb.rcpt[0] != "son@example.org" || !strings.Contains(mb.msgs[0], "Hello Tom") ||
		!strings.Contains(mb.msgs[0], "police officer") || !strings.Contains(mb.msgs[0], "Message-ID: <clearline-alert-") {
		t.Fatalf("mailbox %q", mb.msgs)
	}
	if len(bodies) != 1 || bodies[0].CallID != "call-1" || bodies[0].Verdict != "scam" || len(bodies[0].Tactics) != 2 || !strings.HasPrefix(keys[0], "clearline-alert-") {
		t.Fatalf("webhook got %+v keys %v", bodies, keys)
	}
	all, _ := st2.ListAlerts(ctx, "call-1")
	status := map[string]string{}
	for _, a := range all {
		status[a.Target] = a.Status
	}
	if status["son@example.org"] != "sent" || status[hook.URL] != "sent" || status["ghost@nowhere.invalid"] != "failed" {
		t.Fatalf("statuses %v", status)
	}
	t.Logf("delivery results in order: %v", results)
}

// TestLeaseRedelivery: a process that claims an alert and dies before
// delivering leaves it to another after the lease; never lost.
func TestLeaseRedelivery(t *testing.T) {
	ctx := context.Background()
	var got atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer hook.Close()
	st := openStore(t, filepath.Join(t.TempDir(), "c.db"))
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	inc := store.Incident{CallID: "c", LineID: "mum", Verdict: "scam", FlaggedAt: now}
	if err := st.RecordIncident(ctx, inc, []store.Alert{alert.Compose(inc, "", store.AlertRecipient{Channel: store.ChannelWebhook, Target: hook.URL})}); err != nil {
		t.Fatal(err)
	}
	// The "crashed" process: claims, never reports.
	if c, err := st.ClaimAlerts(ctx, now, 10, time.Minute); err != nil || len(c) != 1 {
		t.Fatalf("claim: %v %v", c, err)
	}
	d := &alert.Dispatcher{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Lease: time.Minute,
		Senders: map[string]alert.Sender{store.ChannelWebhook: &alert.Webhook{}}}
	d.Now = func() time.Time { return now.Add(30 * time.Second) }
	if n := d.RunOnce(ctx); n != 0 || got.Load() != 0 {
		t.Fatal("leased alert delivered before its lease ran out")
	}
	d.Now = func() time.Time { return now.Add(61 * time.Second) }
	if n := d.RunOnce(ctx); n != 1 || got.Load() != 1 {
		t.Fatalf("after the lease: sent %d, receiver saw %d", n, got.Load())
	}
}

func errString(err error) string {
	var p *alert.PermanentError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &p):
		return "permanent"
	}
	return "retry"
}
