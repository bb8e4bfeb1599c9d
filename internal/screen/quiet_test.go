package screen

import (
	"testing"
	"time"
)

func TestParseTimeOfDay(t *testing.T) {
	tests := []struct {
		in   string
		want TimeOfDay
		ok   bool
	}{
		{"21:00", 21 * 60, true},
		{"08:30", 8*60 + 30, true},
		{"8:30", 8*60 + 30, true},
		{"00:00", 0, true},
		{"23:59", 23*60 + 59, true},
		{"24:00", 0, false},
		{"12:60", 0, false},
		{"12:5", 0, false},
		{"1230", 0, false},
		{"", 0, false},
		{"-1:00", 0, false},
		{"12:00pm", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTimeOfDay(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseTimeOfDay(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}

func TestQuietHoursContains(t *testing.T) {
	// UK summer time, as a fixed zone so the test needs no tz database.
	bst := time.FixedZone("BST", 3600)
	at := func(h, m int) time.Time { return time.Date(2025, 7, 1, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name string
		spec string
		loc  *time.Location
		at   time.Time
		want bool
	}{
		{"before midnight", "21:00-08:00", nil, at(23, 0), true},
		{"after midnight", "21:00-08:00", nil, at(3, 0), true},
		{"start is quiet", "21:00-08:00", nil, at(21, 0), true},
		{"end is not quiet", "21:00-08:00", nil, at(8, 0), false},
		{"afternoon", "21:00-08:00", nil, at(15, 0), false},
		{"same-day span", "13:00-14:30", nil, at(14, 0), true},
		{"same-day span after", "13:00-14:30", nil, at(14, 30), false},
		{"empty span", "09:00-09:00", nil, at(9, 0), false},
		{"zone moves the clock", "21:00-08:00", bst, at(20, 30), true}, // 21:30 BST
		{"zone moves it out", "21:00-08:00", bst, at(7, 30), false},    // 08:30 BST
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := ParseQuietHours(tc.spec, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Contains(tc.at); got != tc.want {
				t.Fatalf("%s contains %s = %v, want %v", tc.spec, tc.at, got, tc.want)
			}
		})
	}
}

func TestParseQuietHoursErrors(t *testing.T) {
	for _, in := range []string{"", "21:00", "21:00-", "9pm-8am", "21:00–08:00x"} {
		t.Run(in, func(t *testing.T) {
			if _, err := ParseQuietHours(in, nil); err == nil {
				t.Fatalf("ParseQuietHours(%q) accepted", in)
			}
		})
	}
}
