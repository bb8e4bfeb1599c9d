// Package alert tells a line's trusted contacts about a suspicious or scam
// call: it composes the messages (Compose) and delivers the store's alert
// outbox (Dispatcher) by e-mail over SMTP and by webhook (JSON POST).
//
// Delivery is at least once, made effectively once: the outbox holds one
// row per call and recipient (the store refuses a second), a claimed alert
// is leased so a crash mid-delivery retries it after the lease, and every
// message carries a stable key (Message-ID for e-mail, Idempotency-Key for
// webhooks) so a receiver can drop the rare duplicate a crash between
// "sent" and "recorded" can cause.
package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// Payload is the JSON body of a webhook alert.
type Payload struct {
	Type        string    `json:"type"` // "clearline.alert"
	CallID      string    `json:"call_id"`
	Line        string    `json:"line"`
	LineName    string    `json:"line_name,omitempty"`
	Verdict     string    `json:"verdict"`
	Score       float64   `json:"score"`
	Tactics     []string  `json:"tactics"`
	Explanation string    `json:"explanation"`
	Action      string    `json:"action"`
	Caller      string    `json:"caller"`
	FlaggedAt   time.Time `json:"flagged_at"`
}

// Compose writes the alert for one recipient. The incident's text is
// already redacted; no transcript is sent, only the explanation.
func Compose(inc store.Incident, lineName string, r store.AlertRecipient) store.Alert {
	who := lineName
	if who == "" {
		who = inc.LineID
	}
	caller := inc.Caller
	if caller == "" {
		caller = "a withheld number"
	}
	a := store.Alert{CallID: inc.CallID, LineID: inc.LineID, Channel: r.Channel, Target: r.Target}
	if inc.Verdict == "scam" {
		a.Subject = fmt.Sprintf("clearline: a likely scam call to %s was stopped", who)
	} else {
		a.Subject = fmt.Sprintf("clearline: a suspicious call to %s", who)
	}
	switch r.Channel {
	case store.ChannelWebhook:
		b, _ := json.Marshal(Payload{Type: "clearline.alert", CallID: inc.CallID, Line: inc.LineID, LineName: lineName, Verdict: inc.Verdict,
			Score: inc.Score, Tactics: nonNil(inc.Tactics), Explanation: inc.Explanation, Action: inc.Action, Caller: inc.Caller, FlaggedAt: inc.FlaggedAt.UTC()})
		a.Body = string(b)
	default:
		var b strings.Builder
		fmt.Fprintf(&b, "%s,\n\n", greeting(r))
		fmt.Fprintf(&b, "At %s %s had a call from %s that clearline judged to be %s.\n\n",
			inc.FlaggedAt.Local().Format("15:04 on Monday 2 January"), who, caller, map[string]string{"scam": "a likely scam", "suspicious": "suspicious"}[inc.Verdict])
		fmt.Fprintf(&b, "%s\n\n", inc.Explanation)
		if inc.Action != "" {
			fmt.Fprintf(&b, "What clearline did: %s.\n\n", inc.Action)
		}
		b.WriteString("It may help to ring them now, on a number you know, to make sure they are all right and have not given any money or details.\n\n")
		fmt.Fprintf(&b, "Tactics heard: %s\n", strings.Join(inc.Tactics, ", "))
		a.Body = b.String()
	}
	return a
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// greeting opens an e-mail to a recipient: "Hello Sam", or "Hello".
func greeting(r store.AlertRecipient) string {
	if r.Name == "" {
		return "Hello"
	}
	return "Hello " + r.Name
}
