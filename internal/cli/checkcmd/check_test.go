package checkcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/clearline/clearline/internal/cli"
)

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
	if err != nil {
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), cli.ExitCode(err)
}

func TestCheckJSON(t *testing.T) {
	lists := []string{"--blocklist", "testdata/blocklist.csv", "--dno", "testdata/dno.csv", "--trusted", "testdata/trusted.vcf"}
	tests := []struct {
		name     string
		args     []string
		number   string
		decision string
		reason   string
	}{
		{"emergency number spoofed", []string{"999"}, "999", "block", "emergency"},
		{"police 101 spoofed", []string{"101"}, "101", "block", "police"},
		{"withheld", []string{"anonymous"}, "anonymous", "challenge", "withheld"},
		{"empty caller ID", []string{""}, "anonymous", "challenge", "no caller ID"},
		{"drama number", []string{"01632 960 123"}, "+441632960123", "block", "drama"},
		{"junk", []string{"abc"}, "abc", "block", "not a telephone number"},
		{"unknown mobile", []string{"07400 123457"}, "+447400123457", "challenge", "say their name"},
		{"trusted", append(clone(lists), "+447400123456"), "+447400123456", "allow", `"Mum"`},
		{"trusted national form", append(clone(lists), "07400123456"), "+447400123456", "allow", "Mum"},
		{"community list", append(clone(lists), "447400999111"), "+447400999111", "block", "community"},
		{"DNO", append(clone(lists), "03457345345"), "+443457345345", "block", "Do-Not-Originate"},
		{"quiet hours", []string{"--quiet-hours", "21:00-08:00", "--at", "23:30", "07400 123457"}, "+447400123457", "block", "quiet hours"},
		{"outside quiet hours", []string{"--quiet-hours", "21:00-08:00", "--at", "12:00", "07400 123457"}, "+447400123457", "challenge", "say their name"},
		{"unknown blocked", []string{"--unknown", "block", "07400 123457"}, "+447400123457", "block", "blocks unknown"},
		{"flags after number", []string{"07400 123457", "--unknown", "block"}, "+447400123457", "block", "blocks unknown"},
		{"line with trusted", []string{"--line", "mum", "--trusted", "testdata/trusted.vcf", "01142345678"}, "+441142345678", "allow", "Peter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, append([]string{"--json"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("output %q is not one JSON object: %v", stdout, err)
			}
			if len(got) != 3 {
				t.Errorf("keys %v, want number, decision, reasons", got)
			}
			if got["number"] != tc.number || got["decision"] != tc.decision {
				t.Errorf("got %v, want number %q decision %q", got, tc.number, tc.decision)
			}
			reasons, _ := got["reasons"].([]any)
			var all []string
			for _, r := range reasons {
				all = append(all, r.(string))
			}
			if len(all) == 0 || !strings.Contains(strings.Join(all, "|"), tc.reason) {
				t.Errorf("reasons %q lack %q", all, tc.reason)
			}
			if strings.Count(stdout, "\n") != 1 {
				t.Errorf("stdout has more than one line: %q", stdout)
			}
		})
	}
}

func clone(s []string) []string { return append([]string(nil), s...) }

func TestCheckText(t *testing.T) {
	stdout, _, code := run(t, "07700 900123")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"number:   +447700900123", "decision: block", "stage:    drama-range", "  1. +447700900123 is in Ofcom's range"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCheckReportsImport(t *testing.T) {
	_, stderr, code := run(t, "--blocklist", "testdata/blocklist.csv", "07400 123457")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"--blocklist blocklist.csv: 2 numbers", "1 line(s) rejected", "line 4: 0161 496,cut short"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("report lacks %q:\n%s", want, stderr)
		}
	}
}

func TestCheckErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no number", nil, 2, "no number given"},
		{"two numbers", []string{"999", "112"}, 2, "one number at a time"},
		{"unknown flag", []string{"--frobnicate", "999"}, 2, "frobnicate"},
		{"bad time", []string{"--at", "25:00", "999"}, 2, "--at"},
		{"bad quiet hours", []string{"--quiet-hours", "night", "999"}, 2, "--quiet-hours"},
		{"bad action", []string{"--unknown", "ring", "999"}, 2, "--unknown"},
		{"bad region", []string{"--region", "XX", "999"}, 2, "--region"},
		{"missing file", []string{"--blocklist", "testdata/nope.csv", "999"}, 1, "cannot read --blocklist"},
		{"useless file", []string{"--blocklist", "testdata/useless.csv", "999"}, 1, "no telephone numbers found"},
		{"directory", []string{"--trusted", "testdata", "999"}, 1, "directory"},
		{"no such line", []string{"--line", "kitchen", "999"}, 1, `no such line "kitchen"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.msg) {
				t.Errorf("stderr lacks %q: %s", tc.msg, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty on error: %q", stdout)
			}
		})
	}
}

func TestCheckHelp(t *testing.T) {
	_, stderr, code := run(t, "-h")
	if code != 0 || !strings.Contains(stderr, "usage: clearline check") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
