package numplan

import (
	"cmp"
	"slices"
	"testing"
)

func TestDrama(t *testing.T) {
	p := newGB(t)
	tests := []struct {
		in   string
		area string // "" when not a drama number
	}{
		{"01632 960000", "no area (01632)"},
		{"01632 960999", "no area (01632)"},
		{"01632 961000", ""},
		{"020 7946 0123", "London"},
		{"020 7946 1123", ""},
		{"07700 900123", "mobile (07700 900)"},
		{"07700 901000", ""},
		{"0113 496 0500", "Leeds"},
		{"0161 496 0000", "Manchester"},
		{"0191 498 0999", "Tyneside, Durham and Sunderland"},
		{"028 9649 6123", "Northern Ireland"},
		{"028 9649 5999", ""},
		{"029 2018 0482", "Cardiff"},
		{"08081 570000", "freephone (08081 570)"},
		{"0909 879 0999", "premium rate (0909 879)"},
		{"03069 990500", "UK-wide (03)"},
		{"0121 496 1000", ""},
		{"+1 201 555 0123", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			n, err := p.Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			r, ok := Drama(n)
			if ok != (tc.area != "") || r.Area != tc.area {
				t.Errorf("Drama(%s) = %q, %v; want %q", n, r.Area, ok, tc.area)
			}
		})
	}
}

func TestDramaRangesSortedAndDisjoint(t *testing.T) {
	rs := DramaRanges()
	if !slices.IsSortedFunc(rs, func(a, b DramaRange) int { return cmp.Compare(a.From, b.From) }) {
		t.Fatal("ranges not sorted")
	}
	for i, r := range rs {
		if r.To-r.From != 999 {
			t.Errorf("%s: %d numbers, want 1000", r.Area, r.To-r.From+1)
		}
		if i > 0 && rs[i-1].To >= r.From {
			t.Errorf("%s overlaps %s", r.Area, rs[i-1].Area)
		}
	}
}
