package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// Verification is a call the protected person dialled to check, soon after
// a risky call (flagged, challenged or from an unknown caller), on a
// number such as 101 or their bank's: the family is told, because it means
// the person was worried about that call.
type Verification struct {
	CallID  string // the verification call
	LineID  string
	Dialled string // as dialled: "101", "03457404404"
	At      time.Time
	// The earlier, risky call.
	PreviousCallID string
	PreviousCaller string // presented number; empty when withheld
	PreviousReason string // e.g. "judged a likely scam", "from an unknown caller"
	PreviousAt     time.Time
}

// VerificationPayload is the JSON body of a verification webhook.
type VerificationPayload struct {
	Type           string    `json:"type"` // "clearline.verification"
	CallID         string    `json:"call_id"`
	Line           string    `json:"line"`
	LineName       string    `json:"line_name,omitempty"`
	Dialled        string    `json:"dialled"`
	At             time.Time `json:"at"`
	PreviousCallID string    `json:"previous_call_id"`
	PreviousCaller string    `json:"previous_caller"`
	PreviousReason string    `json:"previous_reason"`
	PreviousAt     time.Time `json:"previous_at"`
}

// ComposeVerification writes the verification alert for one recipient:
// "Mum called 101 to verify after a suspicious call at 14:05".
func ComposeVerification(v Verification, lineName string, r store.AlertRecipient) store.Alert {
	who := lineName
	if who == "" {
		who = v.LineID
	}
	caller := v.PreviousCaller
	if caller == "" {
		caller = "a withheld number"
	}
	hhmm := v.PreviousAt.Local().Format("15:04")
	a := store.Alert{CallID: v.CallID, LineID: v.LineID, Channel: r.Channel, Target: r.Target, CreatedAt: v.At, NextAt: v.At,
		Subject: fmt.Sprintf("clearline: %s called %s to verify after a suspicious call at %s", who, v.Dialled, hhmm)}
	switch r.Channel {
	case store.ChannelWebhook:
		b, _ := json.Marshal(VerificationPayload{Type: "clearline.verification", CallID: v.CallID, Line: v.LineID, LineName: lineName,
			Dialled: v.Dialled, At: v.At.UTC(), PreviousCallID: v.PreviousCallID, PreviousCaller: v.PreviousCaller,
			PreviousReason: v.PreviousReason, PreviousAt: v.PreviousAt.UTC()})
		a.Body = string(b)
	default:
		var b strings.Builder
		fmt.Fprintf(&b, "%s,\n\n", greeting(r))
		fmt.Fprintf(&b, "%s called %s to verify after a suspicious call at %s.\n\n", who, v.Dialled, hhmm)
		fmt.Fprintf(&b, "The earlier call was from %s (%s). clearline confirmed that call had ended before connecting %s, and told them: \"This is a new call. Your previous call has ended.\"\n\n",
			caller, v.PreviousReason, v.Dialled)
		b.WriteString("They may have been worried by that call. It may help to ring them, on a number you know, to make sure they are all right and have not given any money or details.\n")
		a.Body = b.String()
	}
	return a
}
