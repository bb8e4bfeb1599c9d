package demo

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The demo runs real calls through clearline on loopback and its timeline
// shows what a newcomer should see.
func TestDemoTimeline(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := Run(context.Background(), &out, log); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"phone gran-phone registered for line gran",
		"screened: allow",
		"screened: block",
		"603 Decline",
		"486 Busy Here",
		"403 Forbidden",
		"EMERGENCY",
		"police non-emergency",
		"demo finished",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("timeline lacks %q:\n%s", want, s)
		}
	}
	// Audio really crossed clearline both ways on the first calls.
	levels := regexp.MustCompile(`at (-?\d+) dBFS`).FindAllStringSubmatch(s, -1)
	if len(levels) < 4 {
		t.Fatalf("timeline reports %d audio levels, want at least 4:\n%s", len(levels), s)
	}
	for _, m := range levels {
		if db, _ := strconv.Atoi(m[1]); db < -30 {
			t.Errorf("a peer heard the other side at %s dBFS (silence):\n%s", m[1], s)
		}
	}
}
