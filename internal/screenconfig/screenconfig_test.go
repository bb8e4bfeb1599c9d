package screenconfig

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/screen"
)

func TestBuildFromConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := config.Default()
	cfg.Screening.DNOFile = write("dno.csv", "number\n0300 123 4567\n")
	cfg.Screening.CommunityBlocklistFile = write("community.csv", "number\n01142 345671\nnot a number\n")
	cfg.Lines = []config.Line{{
		ID: "mum", Trusted: []string{"+442071838750"},
		TrustedFile: write("contacts.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Daughter\nTEL;TYPE=CELL:07400 123456\nEND:VCARD\n"),
		Blocked:     []string{"01142 345672"}, UnknownCallers: "block",
	}}
	var report bytes.Buffer
	s, lines, err := Build(context.Background(), cfg, &report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(report.String(), "line 3") {
		t.Errorf("rejected line not reported with its number:\n%s", report.String())
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for number, want := range map[string]screen.Action{
		"+442071838750": screen.Allow, // trusted in the config
		"+447400123456": screen.Allow, // trusted from the vCard
		"+443001234567": screen.Block, // Do-Not-Originate
		"+441142345671": screen.Block, // community list
		"+441142345672": screen.Block, // the line's own list
		"+441142345673": screen.Block, // unknown callers: block
	} {
		if d := s.Decide(context.Background(), screen.Input{CallerID: number, Line: lines["mum"], Now: now}); d.Action != want {
			t.Errorf("%s: %v %q, want %v", number, d.Action, d.Reasons, want)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name string
		line config.Line
		want string
	}{
		{"bad trusted number", config.Line{ID: "a", Trusted: []string{"not-a-number"}}, "trusted"},
		{"missing file", config.Line{ID: "a", BlockedFile: "/nonexistent/list.csv"}, "blocked_file"},
		{"bad quiet hours", config.Line{ID: "a", QuietHours: "late"}, "quiet_hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Lines = []config.Line{tt.line}
			if _, _, err := Build(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
