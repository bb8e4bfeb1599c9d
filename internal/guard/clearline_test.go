package guard

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/numplan"
)

// TestDialKey: numbers are read with the home region's numbering plan, so
// every way of writing one number matches every other, different numbers
// never match, and what is no number matches nothing.
func TestDialKey(t *testing.T) {
	junk := []string{"", " ", "+", "++", "+ ", "-", "()", "abc", "+abc", "call the bank", "*101#", "0", "7", "+44",
		"\x00\xff", strings.Repeat("9", 200), "+" + strings.Repeat("4", 60)}
	tests := []struct {
		region string
		// same lists numbers that are one number each; different lists
		// never match each other.
		same [][]string
		// junk is further input that is no number in the region.
		junk []string
	}{
		{"", [][]string{ // GB by default
			{"+44 345 740 4404", "0044 345 740 4404", "0345 740 4404", "03457404404", "+443457404404", "00443457404404",
				"0345-740-4404", "0345.740.4404", "+44 (0)345-740-4404", "tel:+443457404404"},
			{"101", " 1 0 1 ", "+44101"},
			{"159"},
			{"999", "+44 999"},
			{"112"},
			{"1010"},
			{"0101"},
			{"01632960002", "01632 960 002"},
			{"+12125551234", "0012125551234", "001 212 555 1234"},
			{"+33 1 23 45 67 89", "0033123456789"},
		}, []string{"0044", "00"}},
		{"GB", [][]string{
			{"0345 740 4404", "+443457404404"},
			{"101"},
		}, nil},
		{"US", [][]string{
			{"(212) 555-1234", "212-555-1234", "2125551234", "1 212 555 1234", "+1 212 555 1234"},
			{"+44 345 740 4404", "011 44 345 740 4404"},
			{"911"},
			{"101"},
			{"0345 740 4404"}, // not the UK bank: national forms are read for the US
		}, nil},
		{"FR", [][]string{
			{"01 23 45 67 89", "0123456789", "+33 1 23 45 67 89", "0033 1 23 45 67 89"},
			{"+44 345 740 4404", "0044 345 740 4404"},
			{"0345 740 4404", "+333457404404"}, // read as French in France
			{"15"},
			{"17"},
			{"112"},
			{"3919"},
		}, []string{"0044"}},
	}
	for _, tt := range tests {
		name := tt.region
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			cl, err := newClearLine(ClearLine{HomeRegion: tt.region}, nil)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[numplan.Number]string{}
			for _, group := range tt.same {
				want := cl.dialKey(group[0])
				if want == 0 {
					t.Errorf("dialKey(%q) = 0: not read as a number", group[0])
					continue
				}
				for _, in := range group[1:] {
					if got := cl.dialKey(in); got != want {
						t.Errorf("dialKey(%q) = %v, want %v (as %q)", in, got, want, group[0])
					}
				}
				if other, ok := seen[want]; ok {
					t.Errorf("%q and %q match (%v); they are different numbers", group[0], other, want)
				}
				seen[want] = group[0]
			}
			for _, in := range slices.Concat(junk, tt.junk) {
				if got := cl.dialKey(in); got != 0 {
					t.Errorf("dialKey(%q) = %v, want 0: junk must match nothing", in, got)
				}
			}
		})
	}
}

func TestClearLineRegionAndNumbers(t *testing.T) {
	if _, err := newClearLine(ClearLine{HomeRegion: "XX"}, nil); err == nil {
		t.Error("unknown home region accepted")
	}
	if _, err := newClearLine(ClearLine{Numbers: []string{"101", "abc"}}, nil); err == nil {
		t.Error("a verification number that is no number accepted")
	}
	if _, err := newClearLine(ClearLine{LineNumbers: map[string][]string{"mum": {"+"}}}, nil); err == nil {
		t.Error("a line's verification number that is no number accepted")
	}
	if _, err := New(Config{ClearLine: ClearLine{HomeRegion: "XX", Window: time.Minute}}); err == nil {
		t.Error("New accepted an unknown home region")
	}
}

func TestIsVerification(t *testing.T) {
	cl, err := newClearLine(ClearLine{
		Numbers:     []string{"101", "105", "161", "+443457404404", "0800 111 4444"},
		LineNumbers: map[string][]string{"mum": {"03451234567"}},
		Window:      30 * time.Minute,
		// 999 is also (wrongly) configured as a verification number: the
		// emergency list wins.
		Emergency: []string{"999", "112"},
	}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	cl.global[cl.dialKey("999")] = true
	tests := []struct {
		line, dialled string
		want          bool
	}{
		{"mum", "101", true},
		{"mum", "105", true},
		{"mum", "161", true},
		{"mum", "03457404404", true}, // configured as +44, dialled nationally
		{"mum", "+443457404404", true},
		{"mum", "0044 345 740 4404", true},
		{"mum", "08001114444", true},   // configured with spaces
		{"mum", "+448001114444", true}, // configured nationally, dialled +44
		{"mum", "03451234567", true},   // the line's own card number
		{"dad", "03451234567", false},  // another line's card number
		{"mum", "999", false},          // emergency: never, even if listed
		{"mum", "112", false},          // emergency
		{"mum", "+44 999", false},      // emergency, however written
		{"mum", "1010", false},         // not a prefix match
		{"mum", "01632960002", false},  // an ordinary number
		{"mum", "", false},
		{"mum", "+", false},
		{"mum", "abc", false},
	}
	for _, tt := range tests {
		if got := cl.isVerification(tt.line, tt.dialled); got != tt.want {
			t.Errorf("isVerification(%q, %q) = %v, want %v", tt.line, tt.dialled, got, tt.want)
		}
	}
}

// TestIsVerificationHomeRegion: outside the UK, national forms are that
// region's, and its emergency numbers are never verification calls.
func TestIsVerificationHomeRegion(t *testing.T) {
	cl := mustClearLine(t, ClearLine{
		HomeRegion: "FR",
		Numbers:    []string{"3919", "01 23 45 67 89", "+44 345 740 4404"},
		Window:     30 * time.Minute,
		Emergency:  []string{"15", "17", "18", "112"},
	})
	// 17 is also (wrongly) configured as a verification number.
	cl.global[cl.dialKey("17")] = true
	tests := []struct {
		dialled string
		want    bool
	}{
		{"3919", true},
		{"0123456789", true},
		{"+33 1 23 45 67 89", true},
		{"0033123456789", true},
		{"0044 345 740 4404", true}, // the UK bank from France
		{"0345 740 4404", false},    // a French number, not the UK bank
		{"17", false},               // emergency, even if listed
		{"15", false},
		{"112", false},
		{"+", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := cl.isVerification("mum", tt.dialled); got != tt.want {
			t.Errorf("FR: isVerification(%q) = %v, want %v", tt.dialled, got, tt.want)
		}
	}
}

func mustClearLine(t *testing.T, cfg ClearLine) *clearLine {
	t.Helper()
	cl, err := newClearLine(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cl
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
			cl := mustClearLine(t, ClearLine{Numbers: []string{"101"}, Window: tt.window})
			cl.noteRisky(context.Background(), "mum", "c1", "+441142345678", riskUnknown, tt.started)
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
	cl := mustClearLine(t, ClearLine{Window: time.Hour})
	cl.noteRisky(context.Background(), "mum", "c1", "+441142345678", riskUnknown, t0)
	cl.noteRisky(context.Background(), "mum", "c1", "+441142345678", riskScam, t0.Add(time.Minute))
	cl.noteRisky(context.Background(), "mum", "c1", "+441142345678", riskSuspicious, t0.Add(2*time.Minute)) // weaker: kept scam
	cl.noteEnded("mum", "other", t0.Add(3*time.Minute))                                                     // not the risky call
	r, ok := cl.previous("mum", t0.Add(4*time.Minute))
	if !ok || r.reason != riskScam || !r.started.Equal(t0) || !r.ended.IsZero() {
		t.Fatalf("memory after upgrades = %+v, %v", r, ok)
	}
	cl.noteEnded("mum", "c1", t0.Add(5*time.Minute))
	cl.noteEnded("mum", "c1", t0.Add(9*time.Minute)) // only the first end counts
	// A newer risky call replaces the older one.
	cl.noteRisky(context.Background(), "mum", "c2", "", riskChallenged, t0.Add(10*time.Minute))
	r, _ = cl.previous("mum", t0.Add(11*time.Minute))
	if r.callID != "c2" || r.reason != riskChallenged || r.caller != "" {
		t.Fatalf("newer risky call not remembered: %+v", r)
	}
}

// Two risky calls up at once (two handsets): a verification call clears
// both, not only the last, and an older risky call still up keeps the
// clear line on after the last one's window has passed.
func TestEveryRiskyCallStillUpIsCleared(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	cl, err := newClearLine(ClearLine{Numbers: []string{"101"}, Window: 30 * time.Minute}, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	older, endOlder := context.WithCancel(context.Background())
	defer endOlder()
	newer, endNewer := context.WithCancel(context.Background())
	cl.noteRisky(older, "mum", "c-older", "+441142345678", riskUnknown, t0)
	cl.noteRisky(newer, "mum", "c-newer", "", riskChallenged, t0.Add(time.Minute))
	prev, ok := cl.previous("mum", t0.Add(2*time.Minute))
	if !ok || prev.callID != "c-newer" {
		t.Fatalf("previous = %+v, %v; want the newer call", prev, ok)
	}
	if got := cl.toClear("mum", prev); !slices.Equal(got, []string{"c-newer", "c-older"}) {
		t.Fatalf("toClear = %v, want both calls", got)
	}
	// The newer call ends; long after its window the older one is still up.
	endNewer()
	cl.noteEnded("mum", "c-newer", t0.Add(3*time.Minute))
	late := t0.Add(2 * time.Hour)
	prev, ok = cl.previous("mum", late)
	if !ok {
		t.Fatal("no clear line while an older risky call is still up")
	}
	if got := cl.toClear("mum", prev); !slices.Equal(got, []string{"c-newer", "c-older"}) {
		t.Fatalf("toClear = %v", got)
	}
	// Once it is over too, the window decides again.
	endOlder()
	if _, ok := cl.previous("mum", late); ok {
		t.Fatal("clear line on after every risky call ended and the window passed")
	}
	if got := cl.toClear("mum", prev); !slices.Equal(got, []string{"c-newer"}) {
		t.Fatalf("toClear after both ended = %v", got)
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
