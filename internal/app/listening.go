package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/clearline/clearline/internal/alert"
	"github.com/clearline/clearline/internal/asr"
	"github.com/clearline/clearline/internal/asr/remote"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/guard"
	"github.com/clearline/clearline/internal/store"
)

// recognizer builds the configured speech recogniser. An embedded
// recogniser missing from this build is not fatal: calls go unanalysed and
// the log says so once.
func recognizer(cfg config.Listening, log *slog.Logger) (asr.Recognizer, func(), error) {
	switch cfg.Recognizer {
	case "off":
		log.Info("in-call listening is off (listening.recognizer = off)")
		return nil, func() {}, nil
	case "remote":
		r, err := remote.New(remote.Config{URL: cfg.RemoteURL, Model: cfg.RemoteModel, APIKey: cfg.RemoteKey})
		if err != nil {
			return nil, nil, fmt.Errorf("listening: %w", err)
		}
		return r, func() {}, nil
	}
	r, err := asr.Embedded(asr.EmbeddedConfig{Logger: log})
	if errors.Is(err, asr.ErrUnavailable) {
		log.Warn("in-call listening unavailable: this binary has no pocketsphinx (build with cgo and libpocketsphinx-dev); calls are screened but not analysed")
		return nil, func() {}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("listening: %w", err)
	}
	return r, func() { r.Close() }, nil
}

// policies turns the lines' settings into the guard's.
func policies(lines []config.Line) map[string]guard.LinePolicy {
	out := map[string]guard.LinePolicy{}
	for _, l := range lines {
		p := guard.LinePolicy{Listen: l.Listen == nil || *l.Listen, OnScam: l.OnScam, Name: l.Name, District: guard.District(l.Postcode)}
		if p.OnScam == "" {
			p.OnScam = guard.WarnAndEnd
		}
		out[l.ID] = p
	}
	return out
}

// seedRecipients stores the alert recipients named in the config file.
func seedRecipients(ctx context.Context, st store.Store, lines []config.Line) error {
	for _, l := range lines {
		for _, e := range l.AlertEmails {
			if err := st.PutAlertRecipient(ctx, store.AlertRecipient{LineID: l.ID, Channel: store.ChannelEmail, Target: e}); err != nil {
				return fmt.Errorf("line %s alert e-mail: %w", l.ID, err)
			}
		}
		for _, w := range l.AlertWebhooks {
			if err := st.PutAlertRecipient(ctx, store.AlertRecipient{LineID: l.ID, Channel: store.ChannelWebhook, Target: w}); err != nil {
				return fmt.Errorf("line %s alert webhook: %w", l.ID, err)
			}
		}
	}
	return nil
}

// dispatcher builds the alert outbox's delivery.
func dispatcher(cfg config.Alerts, st store.Store, log *slog.Logger) *alert.Dispatcher {
	senders := map[string]alert.Sender{store.ChannelWebhook: &alert.Webhook{Secret: cfg.WebhookSecret}}
	if cfg.SMTPAddr != "" {
		host, _, _ := net.SplitHostPort(cfg.SMTPAddr)
		starttls := true
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			starttls = false
		}
		if cfg.SMTPStartTLS != nil {
			starttls = *cfg.SMTPStartTLS
		}
		senders[store.ChannelEmail] = &alert.SMTP{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, StartTLS: starttls}
	}
	return &alert.Dispatcher{Store: st, Senders: senders, Log: log}
}
