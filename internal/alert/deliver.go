package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// Sender delivers one alert on one channel.
type Sender interface {
	Send(ctx context.Context, a store.Alert) error
}

// PermanentError marks a failure that retrying cannot fix (a rejected
// address, a 4xx from a webhook).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Key is the idempotency key of an alert: stable across retries.
func Key(a store.Alert) string {
	return "clearline-alert-" + strconv.FormatInt(a.ID, 10) + "-" + a.CallID
}

// SMTP sends e-mail through a relay.
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// StartTLS requires STARTTLS before authenticating or sending.
	StartTLS bool
	// TLSConfig for STARTTLS (nil: verify against the host name).
	TLSConfig *tls.Config
}

// Send delivers one e-mail.
func (s *SMTP) Send(ctx context.Context, a store.Alert) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	defer c.Close()
	if s.StartTLS {
		cfg := s.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return &PermanentError{fmt.Errorf("smtp auth: %w", err)}
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(a.Target); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return &PermanentError{fmt.Errorf("smtp RCPT TO %s: %w", a.Target, err)}
		}
		return fmt.Errorf("smtp RCPT TO %s: %w", a.Target, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	domain := "clearline.invalid"
	if i := strings.LastIndexByte(s.From, '@'); i >= 0 {
		domain = strings.Trim(s.From[i+1:], "<> ")
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n",
		s.From, a.Target, mime.QEncoding.Encode("utf-8", a.Subject), time.Now().Format(time.RFC1123Z), Key(a), domain)
	msg.WriteString(strings.ReplaceAll(strings.ReplaceAll(a.Body, "\r\n", "\n"), "\n", "\r\n"))
	if _, err := w.Write(msg.Bytes()); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of data: %w", err)
	}
	return c.Quit()
}

// Webhook POSTs the alert's JSON body.
type Webhook struct {
	Client *http.Client
	// Secret, if set, signs the body: X-Clearline-Signature: sha256=<hex HMAC>.
	Secret string
}

// Send delivers one webhook. 2xx is success; 4xx other than 408 and 429 is
// permanent; anything else is retried.
func (h *Webhook) Send(ctx context.Context, a store.Alert) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Target, strings.NewReader(a.Body))
	if err != nil {
		return &PermanentError{fmt.Errorf("webhook %s: %w", a.Target, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "clearline-alerts")
	req.Header.Set("Idempotency-Key", Key(a))
	if h.Secret != "" {
		m := hmac.New(sha256.New, []byte(h.Secret))
		m.Write([]byte(a.Body))
		req.Header.Set("X-Clearline-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", a.Target, err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != 408 && res.StatusCode != 429:
		return &PermanentError{fmt.Errorf("webhook %s: %s", a.Target, res.Status)}
	}
	return fmt.Errorf("webhook %s: %s", a.Target, res.Status)
}

// Dispatcher delivers the outbox.
type Dispatcher struct {
	Store   store.Incidents
	Senders map[string]Sender // by channel
	Log     *slog.Logger
	Now     func() time.Time
	// Lease is how long a claimed alert is held before another attempt
	// may take it (default 2 min); MaxAttempts before giving up (default
	// 12); Backoff gives the wait after the nth failure (default 5 s
	// doubling to 10 min).
	Lease       time.Duration
	MaxAttempts int
	Backoff     func(attempt int) time.Duration
	// OnResult, if set, is told each delivery's outcome (metrics).
	OnResult func(channel string, err error)

	wake chan struct{}
}

// Notify wakes the dispatcher at once (an alert was just queued).
func (d *Dispatcher) Notify() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) init() {
	if d.wake == nil {
		d.wake = make(chan struct{}, 1)
	}
}

func defaultBackoff(n int) time.Duration {
	b := 5 * time.Second << min(n-1, 7)
	return min(b, 10*time.Minute)
}

// Run delivers due alerts until ctx ends, polling every second and at
// once when notified.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		d.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// RunOnce delivers what is due now and returns how many were sent.
func (d *Dispatcher) RunOnce(ctx context.Context) int {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	lease, maxAttempts, backoff := d.Lease, d.MaxAttempts, d.Backoff
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	if maxAttempts <= 0 {
		maxAttempts = 12
	}
	if backoff == nil {
		backoff = defaultBackoff
	}
	alerts, err := d.Store.ClaimAlerts(ctx, now(), 20, lease)
	if err != nil {
		if ctx.Err() == nil {
			d.Log.Error("claiming alerts", "error", err)
		}
		return 0
	}
	sent := 0
	for _, a := range alerts {
		s := d.Senders[a.Channel]
		var err error
		if s == nil {
			err = &PermanentError{fmt.Errorf("no %s sender is configured", a.Channel)}
		} else {
			sctx, cancel := context.WithTimeout(ctx, min(lease/2, 30*time.Second))
			err = s.Send(sctx, a)
			cancel()
		}
		if d.OnResult != nil {
			d.OnResult(a.Channel, err)
		}
		if err == nil {
			sent++
			d.Log.Info("alert sent", "call_id", a.CallID, "channel", a.Channel, "target", a.Target, "attempt", a.Attempts)
			if err := d.Store.AlertSent(context.WithoutCancel(ctx), a.ID, now()); err != nil {
				d.Log.Error("recording alert sent", "call_id", a.CallID, "error", err)
			}
			continue
		}
		var perm *PermanentError
		final := errors.As(err, &perm) || a.Attempts >= maxAttempts
		next := now().Add(backoff(a.Attempts))
		d.Log.Warn("alert delivery failed", "call_id", a.CallID, "channel", a.Channel, "target", a.Target, "attempt", a.Attempts, "final", final, "retry_at", next, "error", err)
		if err := d.Store.AlertFailed(context.WithoutCancel(ctx), a.ID, err.Error(), next, final); err != nil {
			d.Log.Error("recording alert failure", "call_id", a.CallID, "error", err)
		}
	}
	return sent
}
