package screen

import (
	"fmt"
	"strings"
	"time"
)

// TimeOfDay is a time on the clock, in minutes after midnight (0–1439).
type TimeOfDay int

// ParseTimeOfDay reads "HH:MM" on the 24-hour clock ("21:00", "8:30").
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	hs, ms, ok := strings.Cut(s, ":")
	h, hok := smallNumber(hs)
	m, mok := smallNumber(ms)
	if !ok || !hok || !mok || len(ms) != 2 || h > 23 || m > 59 {
		return 0, fmt.Errorf("parse time of day: %q is not a time like 21:00", s)
	}
	return TimeOfDay(h*60 + m), nil
}

// smallNumber reads one or two ASCII digits.
func smallNumber(s string) (int, bool) {
	if len(s) < 1 || len(s) > 2 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// String returns "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// QuietHours is the part of each day when callers who are not trusted
// contacts are not put through. Start == End means no quiet hours. A span
// that passes midnight (21:00–08:00) is allowed and usual.
type QuietHours struct {
	Start, End TimeOfDay
	// Location is the protected person's time zone; nil means the time
	// zone of the time being checked.
	Location *time.Location
}

// ParseQuietHours reads "21:00-08:00" in loc (nil: the checked time's own zone).
func ParseQuietHours(s string, loc *time.Location) (QuietHours, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("parse quiet hours: %q is not a span like 21:00-08:00", s)
	}
	start, err := ParseTimeOfDay(strings.TrimSpace(a))
	if err != nil {
		return QuietHours{}, fmt.Errorf("parse quiet hours: %w", err)
	}
	end, err := ParseTimeOfDay(strings.TrimSpace(b))
	if err != nil {
		return QuietHours{}, fmt.Errorf("parse quiet hours: %w", err)
	}
	return QuietHours{Start: start, End: end, Location: loc}, nil
}

// Enabled reports whether there are quiet hours at all.
func (q QuietHours) Enabled() bool { return q.Start != q.End }

// Contains reports whether t falls in the quiet hours: from Start
// (inclusive) to End (exclusive), in the quiet hours' time zone.
func (q QuietHours) Contains(t time.Time) bool {
	if !q.Enabled() {
		return false
	}
	if q.Location != nil {
		t = t.In(q.Location)
	}
	h, m, _ := t.Clock()
	now := TimeOfDay(h*60 + m)
	if q.Start < q.End {
		return q.Start <= now && now < q.End
	}
	return now >= q.Start || now < q.End
}

// String returns "21:00–08:00", or "none".
func (q QuietHours) String() string {
	if !q.Enabled() {
		return "none"
	}
	return q.Start.String() + "–" + q.End.String()
}

func (q QuietHours) validate() error {
	if q.Start < 0 || q.Start >= 24*60 || q.End < 0 || q.End >= 24*60 {
		return fmt.Errorf("quiet hours %d–%d: times must be within a day", q.Start, q.End)
	}
	return nil
}
