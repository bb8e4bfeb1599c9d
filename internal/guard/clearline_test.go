package guard

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/screen"
)

func TestDialKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"101", "101"},
		{" 1 0 1 ", "101"},
		{"03457404404", "03457404404"},
		{"0345 740 4404", "03457404404"},
		{"+443457404404", "03457404404"},
		{"+44 (0)345-740-4404", "003457404404"}, // "(0)" is not stripped: a different number, never a false match
		{"00443457404404", "03457404404"},
		{"+12125551234", "0012125551234"},
		{"", ""},
		{"abc", ""},
	}
	for _, tt := range tests {
		if got := dialKey(tt.in); got != tt.want {
			t.Errorf("dialKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsVerification(t *testing.T) {
	cl := newClearLine(ClearLine{
		Numbers:     []string{"101", "105", "161", "+443457404404", "0800 111 4444"},
		LineNumbers: map[string][]string{"mum": {"03451234567"}},
		Window:      30 * time.Minute,
		// 999 is also (wrongly) configured as a verification number: the
		// emergency list wins.
		Emergency: []string{"999", "112"},
	}, time.Now)
	cl.global[dialKey("999")] = true
	tests := []struct {
		line, dialled string
		want          bool
	}{
		{"mum", "101", true},
		{"mum", "105", true},
		{"mum", "161", true},
		{"mum", "03457404404", true}, // configured as +44, dialled nationally
		{"mum", "+443457404404", true},
		{"mum", "08001114444", true},   // configured with spaces
		{"mum", "+448001114444", true}, // configured nationally, dialled +44
		{"mum", "03451234567", true},   // the line's own card number
		{"dad", "03451234567", false},  // another line's card number
		{"mum", "999", false},          // emergency: never, even if listed
		{"mum", "112", false},          // emergency
		{"mum", "1010", false},         // not a prefix match
		{"mum", "01632960002", false},  // an ordinary number
		{"mum", "", false},
	}
	for _, tt := range tests {
		if got := cl.isVerification(tt.line, tt.dialled); got != tt.want {
			t.Errorf("isVerification(%q, %q) = %v, want %v", tt.line, tt.dialled, got, tt.want)
		}
	}
}

func TestPreviousRiskyCallWindow(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		window  time.Duration
		started time.Time
		ended   time.Time // zero: still in progress
		ask     time.Time
		want    bool
	}{
		{"just after", 30 * time.Minute, t0, t0.Add(5 * time.Minute), t0.Add(6 * time.Minute), true},
		{"at the end of the window", 30 * time.Minute, t0, t0.Add(5 * time.Minute), t0.Add(35 * time.Minute), true},
		{"after the window", 30 * time.Minute, t0, t0.Add(5 * time.Minute), t0.Add(35*time.Minute + time.Second), false},
		{"window counts from the end, not the start", 30 * time.Minute, t0, t0.Add(time.Hour), t0.Add(80 * time.Minute), true},
		{"still in progress", 30 * time.Minute, t0, time.Time{}, t0.Add(2 * time.Hour), true},
		{"clear line off", 0, t0, t0.Add(time.Minute), t0.Add(2 * time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := newClearLine(ClearLine{Numbers: []string{"101"}, Window: tt.window}, nil)
			cl.noteRisky("mum", "c1", "+441142345678", riskUnknown, tt.started)
			if !tt.ended.IsZero() {
				cl.noteEnded("mum", "c1", tt.ended)
			}
			_, got := cl.previous("mum", tt.ask)
			if got != tt.want {
				t.Fatalf("previous() found = %v, want %v", got, tt.want)
			}
			if _, other := cl.previous("dad", tt.ask); other {
				t.Fatal("another line's risky call counted")
			}
		})
	}
}

func TestRiskyCallMemory(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	cl := newClearLine(ClearLine{Window: time.Hour}, nil)
	cl.noteRisky("mum", "c1", "+441142345678", riskUnknown, t0)
	cl.noteRisky("mum", "c1", "+441142345678", riskScam, t0.Add(time.Minute))
	cl.noteRisky("mum", "c1", "+441142345678", riskSuspicious, t0.Add(2*time.Minute)) // weaker: kept scam
	cl.noteEnded("mum", "other", t0.Add(3*time.Minute))                               // not the risky call
	r, ok := cl.previous("mum", t0.Add(4*time.Minute))
	if !ok || r.reason != riskScam || !r.started.Equal(t0) || !r.ended.IsZero() {
		t.Fatalf("memory after upgrades = %+v, %v", r, ok)
	}
	cl.noteEnded("mum", "c1", t0.Add(5*time.Minute))
	cl.noteEnded("mum", "c1", t0.Add(9*time.Minute)) // only the first end counts
	// A newer risky call replaces the older one.
	cl.noteRisky("mum", "c2", "", riskChallenged, t0.Add(10*time.Minute))
	r, _ = cl.previous("mum", t0.Add(11*time.Minute))
	if r.callID != "c2" || r.reason != riskChallenged || r.caller != "" {
		t.Fatalf("newer risky call not remembered: %+v", r)
	}
}

func TestInboundRisk(t *testing.T) {
	tests := []struct {
		d    screen.Decision
		want string
		ok   bool
	}{
		{screen.Decision{Action: screen.Challenge, Stage: screen.StageUnknown}, riskChallenged, true},
		{screen.Decision{Action: screen.Challenge, Stage: screen.StageWithheld}, riskChallenged, true},
		{screen.Decision{Action: screen.Allow, Stage: screen.StageUnknown}, riskUnknown, true},
		{screen.Decision{Action: screen.Allow, Stage: screen.StageTrusted}, "", false},
		{screen.Decision{Action: screen.Block, Stage: screen.StageServiceCode}, "", false}, // never reached the person
	}
	for _, tt := range tests {
		got, ok := inboundRisk(tt.d)
		if got != tt.want || ok != tt.ok {
			t.Errorf("inboundRisk(%+v) = %q, %v; want %q, %v", tt.d, got, ok, tt.want, tt.ok)
		}
	}
}

func TestScreenOutboundPlan(t *testing.T) {
	now := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	risky0 := now
	clock := func() time.Time { return now }
	g, err := New(Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock,
		ClearLine: ClearLine{Numbers: []string{"101", "159"}, Window: 30 * time.Minute, Emergency: []string{"999", "112"}}})
	if err != nil {
		t.Fatal(err)
	}
	risky := &gateway.Call{ID: "risky", LineID: "mum", Direction: "inbound", From: "+441142345678"}
	g.noteInbound(risky, screen.Decision{Action: screen.Allow, Stage: screen.StageUnknown})
	now = now.Add(3 * time.Minute)
	g.CallEnded(risky, "completed")
	now = now.Add(time.Minute)

	tests := []struct {
		name, id, line, to string
		emergency          bool
		announce           bool
	}{
		{"101 after an unknown caller", "v1", "mum", "101", false, true},
		{"159 after an unknown caller", "v2", "mum", "159", false, true},
		{"999 is never announced", "e1", "mum", "999", true, false},
		{"999 even if the gateway did not mark it", "e2", "mum", "999", false, false},
		{"an ordinary number", "o1", "mum", "01632960002", false, false},
		{"101 from a line with no risky call", "v3", "dad", "101", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &gateway.Call{ID: tt.id, LineID: tt.line, Direction: "outbound", To: tt.to, Emergency: tt.emergency}
			plan := g.ScreenOutbound(context.Background(), c)
			if got := plan.Before != nil; got != tt.announce {
				t.Fatalf("announced = %v, want %v (plan %+v)", got, tt.announce, plan)
			}
			if !tt.announce {
				if len(plan.Cleared) != 0 || len(plan.Reasons) != 0 {
					t.Fatalf("plan for an unannounced call: %+v", plan)
				}
				return
			}
			if len(plan.Cleared) != 1 || plan.Cleared[0] != "risky" || plan.Decision != "clear-line" ||
				len(plan.Reasons) != 1 || !strings.Contains(plan.Reasons[0], "unknown caller") || !strings.Contains(plan.Reasons[0], "at "+risky0.Local().Format("15:04")) {
				t.Fatalf("plan %+v", plan)
			}
		})
	}
	// After the window, 101 is an ordinary call again.
	now = now.Add(30 * time.Minute)
	c := &gateway.Call{ID: "v4", LineID: "mum", Direction: "outbound", To: "101"}
	if plan := g.ScreenOutbound(context.Background(), c); plan.Before != nil {
		t.Fatalf("announced after the window: %+v", plan)
	}
}
