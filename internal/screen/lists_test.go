package screen

import (
	"slices"
	"testing"
)

func TestDefaultsAreValid(t *testing.T) {
	if _, err := newPrefixIndex(DefaultPrefixRules()); err != nil {
		t.Fatal(err)
	}
	l := NewLists()
	if err := l.SetServiceCodes(DefaultServiceCodes()); err != nil {
		t.Fatal(err)
	}
	codes := l.ServiceCodes()
	for _, c := range []string{"999", "112", "101", "111", "105", "159", "161"} {
		if !slices.ContainsFunc(codes, func(s ServiceCode) bool { return s.Code == c }) {
			t.Errorf("default service codes lack %s", c)
		}
	}
}

func TestListOverlay(t *testing.T) {
	base := make([]Number, 0, 1000)
	for i := range 1000 {
		base = append(base, Number(447400000000+i))
	}
	l := NewList(base)
	l2, added := l.With(447400000001, 447499999999, 447499999999)
	if added != 1 || l2.Len() != 1001 || !l2.Contains(447499999999) || l.Contains(447499999999) {
		t.Fatalf("With: added %d, len %d", added, l2.Len())
	}
	l3, removed := l2.Without(447400000002, 447499999999, 1)
	if removed != 2 || l3.Len() != 999 || l3.Contains(447400000002) || l3.Contains(447499999999) || !l2.Contains(447400000002) {
		t.Fatalf("Without: removed %d, len %d", removed, l3.Len())
	}
	l4, added := l3.With(447400000002)
	if added != 1 || !l4.Contains(447400000002) || l4.Len() != 1000 {
		t.Fatalf("re-adding a removed number: added %d len %d", added, l4.Len())
	}
	n := 0
	for x := range l4.All() {
		if !l4.Contains(x) {
			t.Fatalf("All yields %v, not on the list", x)
		}
		n++
	}
	if n != l4.Len() {
		t.Fatalf("All yields %d numbers, Len %d", n, l4.Len())
	}
}

func TestListFoldsLargeOverlay(t *testing.T) {
	var l *List
	nums := make([]Number, foldAt+10)
	for i := range nums {
		nums[i] = Number(441142000000 + i)
	}
	l, added := l.With(nums...)
	if added != len(nums) || l.Len() != len(nums) {
		t.Fatalf("added %d, len %d", added, l.Len())
	}
	if len(l.added) != 0 {
		t.Fatalf("overlay of %d numbers was not folded into the base", len(l.added))
	}
	for _, n := range nums {
		if !l.Contains(n) {
			t.Fatalf("lost %v when folding", n)
		}
	}
}

func TestRuleValidation(t *testing.T) {
	l := NewLists()
	for _, bad := range []string{"449", "+", "+44a", ""} {
		if err := l.SetPrefixRules([]PrefixRule{{Prefix: bad}}); err == nil {
			t.Errorf("prefix %q accepted", bad)
		}
	}
	if err := l.SetPrefixRules([]PrefixRule{{Prefix: "+4487"}}); err != nil {
		t.Fatal(err)
	}
	if got := l.PrefixRules(); len(got) != 1 || got[0].Reason == "" {
		t.Errorf("rules %v: want one with a default reason", got)
	}
	for _, bad := range []string{"", "1234567", "99a"} {
		if err := l.SetServiceCodes([]ServiceCode{{Code: bad}}); err == nil {
			t.Errorf("service code %q accepted", bad)
		}
	}
	if _, err := NewLine("x", Policy{UnknownAction: Allow}); err != nil {
		t.Errorf("policy ringing unknown callers through (still listened to) refused: %v", err)
	}
	if _, err := NewLine("x", Policy{UnknownAction: Action(9)}); err == nil {
		t.Error("invalid unknown-caller action accepted")
	}
	if _, err := NewLine("x", Policy{AnonymousAction: Allow}); err == nil {
		t.Error("policy allowing withheld callers accepted")
	}
	if _, err := NewLine("x", Policy{AnonymousAction: Action(9)}); err == nil {
		t.Error("invalid anonymous action accepted")
	}
}

func TestActionText(t *testing.T) {
	for _, a := range []Action{Allow, Block, Challenge} {
		b, err := a.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Action
		if err := back.UnmarshalText(b); err != nil || back != a {
			t.Fatalf("%v round trip: %v %v", a, back, err)
		}
	}
	if _, err := Action(0).MarshalText(); err == nil {
		t.Error("zero action marshalled")
	}
	if _, err := ParseAction("ring"); err == nil {
		t.Error(`"ring" parsed as an action`)
	}
}

// TestPrefixIndex checks matching by prefixes of several lengths: the
// shortest reason first, the last of repeated prefixes counting, and a
// prefix with a leading zero matching nothing.
func TestPrefixIndex(t *testing.T) {
	ix, err := newPrefixIndex([]PrefixRule{
		{Prefix: "+4474", Reason: "first"},
		{Prefix: "+447400", Reason: "six"},
		{Prefix: "+44", Reason: "home"},
		{Prefix: "+4474", Reason: "second"},
		{Prefix: "+0447", Reason: "zero"},
		{Prefix: "+447400123456"},
		{Prefix: "+33"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		digits string
		want   []string
	}{
		{"447400123456", []string{"home", "second", "six", "in the blocked range +447400123456"}},
		{"447400123457", []string{"home", "second", "six"}},
		{"447412345678", []string{"home", "second"}},
		{"447500123456", []string{"home"}},
		{"4474", []string{"home", "second"}},
		{"33123456789", []string{"in the blocked range +33"}},
		{"4", nil},
		{"1201555012", nil},
	} {
		var c call
		ix.match([]byte(tc.digits), &c)
		if got := c.reasons[:c.nreasons]; !slices.Equal(got, tc.want) {
			t.Errorf("%s: reasons %q, want %q", tc.digits, got, tc.want)
		}
	}
	var prefixes []string
	for _, r := range ix.list() {
		prefixes = append(prefixes, r.Prefix)
	}
	if want := []string{"+0447", "+33", "+44", "+4474", "+447400", "+447400123456"}; !slices.Equal(prefixes, want) {
		t.Errorf("list %q, want %q", prefixes, want)
	}
}
