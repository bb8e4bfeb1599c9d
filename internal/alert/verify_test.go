package alert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
)

func TestComposeVerification(t *testing.T) {
	prevAt := time.Date(2026, 12, 1, 14, 5, 0, 0, time.UTC)
	v := Verification{CallID: "v1", LineID: "mum", Dialled: "101", At: prevAt.Add(10 * time.Minute),
		PreviousCallID: "c1", PreviousCaller: "", PreviousReason: "judged a likely scam", PreviousAt: prevAt}
	hhmm := prevAt.Local().Format("15:04")
	tests := []struct {
		name  string
		r     store.AlertRecipient
		check func(t *testing.T, a store.Alert)
	}{
		{"email", store.AlertRecipient{LineID: "mum", Channel: store.ChannelEmail, Target: "son@example.org", Name: "Tom"}, func(t *testing.T, a store.Alert) {
			for _, want := range []string{"Hello Tom", "Mum called 101 to verify after a suspicious call at " + hhmm, "a withheld number", "judged a likely scam", "This is a new call."} {
				if !strings.Contains(a.Body, want) {
					t.Errorf("body lacks %q:\n%s", want, a.Body)
				}
			}
		}},
		{"webhook", store.AlertRecipient{LineID: "mum", Channel: store.ChannelWebhook, Target: "http://127.0.0.1/h"}, func(t *testing.T, a store.Alert) {
			var p VerificationPayload
			if err := json.Unmarshal([]byte(a.Body), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != "clearline.verification" || p.CallID != "v1" || p.Dialled != "101" || p.PreviousCallID != "c1" || !p.PreviousAt.Equal(prevAt) || p.LineName != "Mum" {
				t.Errorf("payload %+v", p)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ComposeVerification(v, "Mum", tt.r)
			if a.CallID != "v1" || a.LineID != "mum" || a.Channel != tt.r.Channel || a.Target != tt.r.Target || !a.CreatedAt.Equal(v.At) ||
				a.Subject != "clearline: Mum called 101 to verify after a suspicious call at "+hhmm {
				t.Fatalf("alert %+v", a)
			}
			tt.check(t, a)
		})
	}
}
