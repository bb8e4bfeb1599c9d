package screen

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Real-looking UK numbers used below. Valid numbers are outside Ofcom's
// drama ranges (those are blocked as made up).
const (
	mumMobile     = "+447400123456" // valid GB mobile
	sonLandline   = "+441142345678" // valid Sheffield landline
	bankHelpline  = "+443457345345" // valid 0345 number, put on the DNO list
	scamMobile    = "+447400999111" // valid GB mobile, put on block lists
	premiumNumber = "09061234567"   // valid 0906 premium-rate number
	frenchNumber  = "+33123456789"  // valid Paris landline
	unknownMobile = "07400 123457"  // valid GB mobile nobody listed
)

// night and noon are call times in the line's zone (UTC here).
var (
	night = time.Date(2025, 1, 15, 23, 30, 0, 0, time.UTC)
	noon  = time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
)

type fixture struct {
	s    *Screener
	line *Line
}

func newFixture(t testing.TB, p Policy) fixture {
	t.Helper()
	s, err := New(Config{HomeRegion: "GB"})
	if err != nil {
		t.Fatal(err)
	}
	line, err := NewLine("line-1", p)
	if err != nil {
		t.Fatal(err)
	}
	num := func(s2 string) Number {
		n, err := s.Parser().Parse(s2)
		if err != nil {
			t.Fatalf("parse %q: %v", s2, err)
		}
		return n
	}
	line.AddTrusted(Contact{Name: "Mum", Number: num(mumMobile)}, Contact{Name: "Peter (son)", Number: num(sonLandline)})
	line.Block(num(scamMobile))
	s.Lists().SetDNO([]Number{num(bankHelpline)})
	s.Lists().SetCommunity([]Number{num(scamMobile), num("+447400555666")})
	return fixture{s: s, line: line}
}

func TestDecideStages(t *testing.T) {
	quiet := QuietHours{Start: 21 * 60, End: 8 * 60}
	tests := []struct {
		name     string
		callerID string
		policy   Policy
		now      time.Time
		setup    func(f fixture)
		noLine   bool

		action Action
		stage  string
		number string
		reason []string // substrings, each found in some reason
	}{
		// service codes presented as caller ID
		{name: "999 spoofed", callerID: "999", action: Block, stage: StageServiceCode, number: "999", reason: []string{"emergency services", "faked"}},
		{name: "112 spoofed", callerID: "112", action: Block, stage: StageServiceCode, reason: []string{"emergency services"}},
		{name: "101 spoofed", callerID: "101", action: Block, stage: StageServiceCode, reason: []string{"police non-emergency"}},
		{name: "111 spoofed", callerID: "111", action: Block, stage: StageServiceCode, reason: []string{"NHS 111"}},
		{name: "105 spoofed", callerID: "105", action: Block, stage: StageServiceCode, reason: []string{"power-cut"}},
		{name: "159 spoofed", callerID: "159", action: Block, stage: StageServiceCode, reason: []string{"Stop Scams UK"}},
		{name: "161 spoofed", callerID: "161", action: Block, stage: StageServiceCode},
		{name: "999 with country code", callerID: "+44999", action: Block, stage: StageServiceCode, number: "999"},
		{name: "unknown short code", callerID: "12345", action: Block, stage: StageServiceCode, reason: []string{"short code"}},
		{name: "short code beats trusted", callerID: "101", setup: func(f fixture) {
			f.line.AddTrusted(Contact{Name: "odd entry", Number: 44101})
		}, action: Block, stage: StageServiceCode},

		// withheld and unavailable
		{name: "anonymous challenged", callerID: "anonymous", action: Challenge, stage: StageWithheld, number: Anonymous, reason: []string{"withheld", "say their name"}},
		{name: "empty caller ID", callerID: "", action: Challenge, stage: StageWithheld, number: Anonymous, reason: []string{"no caller ID"}},
		{name: "unavailable", callerID: "unavailable", action: Challenge, stage: StageWithheld, number: Anonymous, reason: []string{"could not give"}},
		{name: "Restricted", callerID: "Restricted", action: Challenge, stage: StageWithheld, number: Anonymous},
		{name: "anonymous URI", callerID: "sip:anonymous@anonymous.invalid", action: Challenge, stage: StageWithheld, number: Anonymous},
		{name: "withheld blocked by policy", callerID: "anonymous", policy: Policy{AnonymousAction: Block}, action: Block, stage: StageWithheld, reason: []string{"blocks callers without a number"}},
		{name: "withheld at night", callerID: "Private", policy: Policy{QuietHours: quiet}, now: night, action: Block, stage: StageQuietHours, number: Anonymous, reason: []string{"withheld", "quiet hours 21:00–08:00"}},

		// not a number
		{name: "letters", callerID: "abc", action: Block, stage: StageNotANumber, number: "abc", reason: []string{`"abc"`, "not a telephone number"}},
		{name: "no such country", callerID: "+999 1234", action: Block, stage: StageNotANumber, reason: []string{"country code that does not exist"}},

		// Ofcom drama ranges
		{name: "drama mobile", callerID: "07700 900123", action: Block, stage: StageDrama, number: "+447700900123", reason: []string{"drama", "07700 900"}},
		{name: "drama London", callerID: "020 7946 0123", action: Block, stage: StageDrama, reason: []string{"London"}},
		{name: "drama no area", callerID: "01632 960 123", action: Block, stage: StageDrama},
		{name: "drama beats trusted", callerID: "+442079460123", setup: func(f fixture) {
			f.line.AddTrusted(Contact{Name: "TV", Number: 442079460123})
		}, action: Block, stage: StageDrama},

		// Do-Not-Originate
		{name: "bank helpline presented", callerID: "0345 734 5345", action: Block, stage: StageDNO, number: bankHelpline, reason: []string{"Do-Not-Originate"}},
		{name: "DNO beats trusted", callerID: bankHelpline, setup: func(f fixture) {
			f.line.AddTrusted(Contact{Name: "Bank", Number: 443457345345})
		}, action: Block, stage: StageDNO},

		// invalid numbers
		{name: "unallocated 04 range", callerID: "+44 4000 123456", action: Block, stage: StageInvalid, reason: []string{"not a valid number"}},
		{name: "truncated number", callerID: "+4420", action: Block, stage: StageInvalid},
		{name: "too long", callerID: "0114 234 56789", action: Block, stage: StageInvalid},

		// trusted contacts
		{name: "trusted E.164", callerID: mumMobile, action: Allow, stage: StageTrusted, number: mumMobile, reason: []string{`"Mum"`}},
		{name: "trusted national form", callerID: "07400 123456", action: Allow, stage: StageTrusted, number: mumMobile},
		{name: "trusted without plus", callerID: "447400123456", action: Allow, stage: StageTrusted},
		{name: "trusted with 00", callerID: "00447400123456", action: Allow, stage: StageTrusted},
		{name: "trusted landline", callerID: "0114 234 5678", action: Allow, stage: StageTrusted, reason: []string{"Peter (son)"}},
		{name: "trusted beats community list", callerID: "+447400555666", setup: func(f fixture) {
			f.line.AddTrusted(Contact{Name: "Neighbour", Number: 447400555666})
		}, action: Allow, stage: StageTrusted},
		{name: "trusted rings in quiet hours", callerID: mumMobile, policy: Policy{QuietHours: quiet}, now: night, action: Allow, stage: StageTrusted},
		{name: "trusted beats blocked international", callerID: frenchNumber, policy: Policy{BlockInternational: true}, setup: func(f fixture) {
			f.line.AddTrusted(Contact{Name: "Sister in Paris", Number: 33123456789})
		}, action: Allow, stage: StageTrusted},

		// block lists and ranges
		{name: "line and community lists", callerID: scamMobile, action: Block, stage: StageBlockList, reason: []string{"this line's block list", "community block list"}},
		{name: "community list only", callerID: "07400 555666", action: Block, stage: StageBlockList, reason: []string{"community"}},
		{name: "premium rate", callerID: premiumNumber, action: Block, stage: StageBlockList, reason: []string{"premium-rate", "C6"}},
		{name: "international blocked", callerID: frenchNumber, policy: Policy{BlockInternational: true}, action: Block, stage: StageBlockList, reason: []string{"+33", "abroad"}},
		{name: "line prefix rule", callerID: "0845 123 4567", policy: Policy{BlockedPrefixes: []PrefixRule{{Prefix: "+4484", Reason: "084 numbers are blocked on this line"}}}, action: Block, stage: StageBlockList, reason: []string{"084"}},
		{name: "blocked wins over quiet hours", callerID: scamMobile, policy: Policy{QuietHours: quiet}, now: night, action: Block, stage: StageBlockList},

		// quiet hours and unknown callers
		{name: "unknown at night", callerID: unknownMobile, policy: Policy{QuietHours: quiet}, now: night, action: Block, stage: StageQuietHours},
		{name: "unknown at noon", callerID: unknownMobile, policy: Policy{QuietHours: quiet}, now: noon, action: Challenge, stage: StageUnknown, number: "+447400123457", reason: []string{"say their name"}},
		{name: "unknown challenged", callerID: unknownMobile, action: Challenge, stage: StageUnknown},
		{name: "unknown blocked by policy", callerID: unknownMobile, policy: Policy{UnknownAction: Block}, action: Block, stage: StageUnknown, reason: []string{"blocks unknown callers"}},
		{name: "international unknown", callerID: frenchNumber, action: Challenge, stage: StageUnknown, number: frenchNumber},
		{name: "no line", callerID: mumMobile, noLine: true, action: Challenge, stage: StageUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.policy)
			if tc.setup != nil {
				tc.setup(f)
			}
			in := Input{CallerID: tc.callerID, Line: f.line, Now: tc.now}
			if in.Now.IsZero() {
				in.Now = noon
			}
			if tc.noLine {
				in.Line = nil
			}
			d := f.s.Decide(context.Background(), in)
			if d.Action != tc.action || d.Stage != tc.stage {
				t.Fatalf("Decide(%q) = %v at %s, want %v at %s; reasons %q", tc.callerID, d.Action, d.Stage, tc.action, tc.stage, d.Reasons)
			}
			if tc.number != "" && d.Number != tc.number {
				t.Errorf("Number = %q, want %q", d.Number, tc.number)
			}
			if len(d.Reasons) == 0 {
				t.Fatal("no reasons")
			}
			all := strings.Join(d.Reasons, " | ")
			for _, want := range tc.reason {
				if !strings.Contains(all, want) {
					t.Errorf("reasons %q lack %q", d.Reasons, want)
				}
			}
		})
	}
}

func TestPipelineOrder(t *testing.T) {
	want := []string{
		StageCallerID, StageServiceCode, StageNotANumber, StageDrama, StageDNO, StageInvalid,
		StageTrusted, StageBlockList, StageQuietHours, StageWithheld, StageUnknown,
	}
	if got := StageNames(); !slices.Equal(got, want) {
		t.Fatalf("pipeline order %v, want %v", got, want)
	}
}

func TestNewRejectsUnknownRegion(t *testing.T) {
	if _, err := New(Config{HomeRegion: "XX"}); err == nil {
		t.Fatal("New accepted region XX")
	}
}

func TestHomeRegionChangesNationalForm(t *testing.T) {
	s, err := New(Config{HomeRegion: "US"})
	if err != nil {
		t.Fatal(err)
	}
	d := s.Decide(context.Background(), Input{CallerID: "(201) 555-0123", Now: noon})
	if d.Number != "+12015550123" || d.Action != Challenge {
		t.Fatalf("US national number read as %q, %v (%q)", d.Number, d.Action, d.Reasons)
	}
}

// TestConcurrentChanges runs decisions while the carer edits the lists; run
// with -race. Each reader checks a number whose state it knows.
func TestConcurrentChanges(t *testing.T) {
	f := newFixture(t, Policy{})
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if d := f.s.Decide(ctx, Input{CallerID: mumMobile, Line: f.line, Now: noon}); d.Action != Allow {
					t.Errorf("trusted contact got %v while lists changed", d.Action)
					return
				}
			}
		}()
	}
	for i := range 2000 {
		n := Number(447400200000 + i)
		f.line.Block(n)
		f.line.AddTrusted(Contact{Name: "x", Number: n + 100000})
		f.s.Lists().AddCommunity(n)
		if i%3 == 0 {
			f.line.Unblock(n)
		}
	}
	close(stop)
	wg.Wait()
	if got := f.line.Blocked().Len(); got != 1+2000-667 {
		t.Errorf("line block list has %d numbers, want %d", got, 1+2000-667)
	}
	d := f.s.Decide(ctx, Input{CallerID: "+447400200001", Line: f.line, Now: noon})
	if d.Action != Block {
		t.Errorf("number blocked during the run: %v %q", d.Action, d.Reasons)
	}
}

func TestChallengePassDoesNotTrust(t *testing.T) {
	// The screener has no way to trust a caller by itself: a decision never
	// changes the lists.
	f := newFixture(t, Policy{})
	before := len(f.line.Contacts())
	for range 3 {
		f.s.Decide(context.Background(), Input{CallerID: unknownMobile, Line: f.line, Now: noon})
	}
	if len(f.line.Contacts()) != before {
		t.Fatal("deciding changed the trusted contacts")
	}
}

func FuzzDecide(f *testing.F) {
	for _, s := range []string{
		"+447700900123", "07700900123", "447700900123", "00447700900123", "01632 960 123", "anonymous", "",
		"unavailable", "Restricted", "abc", "+4420", "999", "+44 999", "sip:anonymous@x", "\x00", "+", "++44",
		"0044", "١٢٣٤٥٦٧٨٩٠١", "+44 (0) 7400 123456", "tel:+447400123456;ext=1",
	} {
		f.Add(s)
	}
	fx := newFixture(f, Policy{QuietHours: QuietHours{Start: 22 * 60, End: 7 * 60}})
	f.Fuzz(func(t *testing.T, callerID string) {
		d := fx.s.Decide(context.Background(), Input{CallerID: callerID, Line: fx.line, Now: night})
		if d.Action < Allow || d.Action > Challenge {
			t.Fatalf("Decide(%q): no action", callerID)
		}
		if d.Stage == "" || len(d.Reasons) == 0 {
			t.Fatalf("Decide(%q): stage %q reasons %q", callerID, d.Stage, d.Reasons)
		}
		if d.Action == Allow && d.Stage != StageTrusted {
			t.Fatalf("Decide(%q) allowed an untrusted caller", callerID)
		}
	})
}

// TestDecideAllocations holds the decision path to its allocations: none
// for a decision whose reasons are fixed text on a caller ID given in
// international form, one (the international form) for a national one.
func TestDecideAllocations(t *testing.T) {
	f := newFixture(t, Policy{})
	ctx := context.Background()
	for _, tc := range []struct {
		callerID string
		want     float64
	}{
		{"+447400123457", 0}, // unknown caller
		{mumMobile, 0},       // trusted contact
		{"+447400555666", 0}, // community block list
		{"anonymous", 0},
		{"", 0},
		{"999", 0},
		{"+44999", 0},
		{unknownMobile, 1},
		{"07400123457", 1},
	} {
		got := testing.AllocsPerRun(100, func() {
			f.s.Decide(ctx, Input{CallerID: tc.callerID, Line: f.line, Now: noon})
		})
		if got != tc.want {
			t.Errorf("Decide(%q): %v allocations, want %v", tc.callerID, got, tc.want)
		}
	}
}

// TestSharedReasons: decisions with fixed reasons share them, so appending
// to one decision's reasons must copy rather than change the next one's.
func TestSharedReasons(t *testing.T) {
	f := newFixture(t, Policy{})
	ctx := context.Background()
	for _, id := range []string{"+447400123457", "anonymous", mumMobile} {
		d := f.s.Decide(ctx, Input{CallerID: id, Line: f.line, Now: noon})
		want := slices.Clone(d.Reasons)
		if cap(d.Reasons) != len(d.Reasons) {
			t.Fatalf("%q: reasons of capacity %d for %d", id, cap(d.Reasons), len(d.Reasons))
		}
		_ = append(d.Reasons, "added by a caller")
		if again := f.s.Decide(ctx, Input{CallerID: id, Line: f.line, Now: noon}); !slices.Equal(again.Reasons, want) {
			t.Fatalf("%q: reasons %q after appending to a decision's, want %q", id, again.Reasons, want)
		}
	}
}
