package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleLoads(t *testing.T) {
	cfg, err := Load("../../examples/clearline.toml", nil)
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if len(cfg.Lines) != 1 || cfg.Lines[0].Phones[0].Username != "mum-phone" {
		t.Fatalf("lines not read: %+v", cfg.Lines)
	}
	if cfg.Media.RTPTimeout.Duration != 60*time.Second {
		t.Fatalf("rtp_timeout = %v", cfg.Media.RTPTimeout)
	}
}

func TestEnvOverrides(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"CLEARLINE_SIP_LISTEN":            "127.0.0.1:5070",
		"CLEARLINE_TRUNK_PASSWORD_FILE":   secret,
		"CLEARLINE_TRUNK_ALLOWED_SOURCES": "127.0.0.1, 10.0.0.0/8",
		"CLEARLINE_MEDIA_RTP_TIMEOUT":     "5s",
		"CLEARLINE_EMERGENCY_NUMBERS":     "999,112,911",
	}
	cfg, err := Load("../../examples/clearline.toml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SIP.Listen != "127.0.0.1:5070" || cfg.Trunk.Password != "s3cret" ||
		len(cfg.Trunk.AllowedSources) != 2 || cfg.Media.RTPTimeout.Duration != 5*time.Second ||
		len(cfg.Emergency.Numbers) != 3 {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
}

func TestInvalidSettings(t *testing.T) {
	tests := []struct {
		name, toml, env, want string
	}{
		{"unknown key", "[sip]\nlisten_addr = \"x\"\n", "", "unknown setting(s): sip.listen_addr"},
		{"bad listen", "[sip]\nlisten = \"nope\"\n", "", "sip.listen"},
		{"bad transport", "[sip]\ntransports = [\"sctp\"]\n", "", "sip.transports"},
		{"bad duration", "[media]\nrtp_timeout = \"soon\"\n", "", "not a duration"},
		{"port range", "[media]\nport_min = 30000\nport_max = 20000\n", "", "media.port_min/port_max"},
		{"unspecified media ip", "[media]\nip = \"0.0.0.0\"\n", "", "media.ip"},
		{"trunk without sources", "[trunk]\naddress = \"127.0.0.1:5080\"\n", "", "trunk.allowed_sources"},
		{"bad source", "[trunk]\nallowed_sources = [\"provider\"]\n", "", "not an IP address"},
		{"register without user", "[trunk]\naddress = \"127.0.0.1:5080\"\nallowed_sources=[\"127.0.0.1\"]\nregister = true\n", "", "trunk.register"},
		{"emergency not digits", "[emergency]\nnumbers = [\"9-9-9\"]\n", "", "emergency.numbers"},
		{"empty emergency", "[emergency]\nnumbers = []\n", "", "must not be empty"},
		{"log level", "[log]\nlevel = \"loud\"\n", "", "log.level"},
		{"transaction linger too long", "[sip]\ntransaction_linger = \"64s\"\n", "", "sip.transaction_linger"},
		{"transaction linger zero", "", "CLEARLINE_SIP_TRANSACTION_LINGER=0s", "sip.transaction_linger"},
		{"pprof not loopback", "[log]\npprof = \"0.0.0.0:6060\"\n", "", "log.pprof"},
		{"pprof not host:port", "", "CLEARLINE_LOG_PPROF=6060", "log.pprof"},
		{"duplicate line", "[[lines]]\nid = \"a\"\n[[lines]]\nid = \"a\"\n", "", "used twice"},
		{"short phone password", "[[lines]]\nid = \"a\"\n[[lines.phones]]\nusername = \"p\"\npassword = \"short\"\n", "", "at least 8"},
		{"bad number", "[[lines]]\nid = \"a\"\nnumbers = [\"call me\"]\n", "", "not a phone number"},
		{"bad env int", "", "CLEARLINE_MEDIA_PORT_MIN=abc", "CLEARLINE_MEDIA_PORT_MIN"},
		{"syntax error", "[sip\n", "", "config"},
		{"clear line emergency number", "[clear_line]\nnumbers = [\"101\", \"999\"]\n", "", "clear_line.numbers: \"999\" is an emergency number"},
		{"clear line bad bank number", "[clear_line]\nbank_numbers = [\"my bank\"]\n", "", "clear_line.bank_numbers"},
		{"clear line negative window", "[clear_line]\nwindow = \"-1m\"\n", "", "clear_line.window"},
		{"clear line long window", "", "CLEARLINE_CLEAR_LINE_WINDOW=48h", "clear_line.window"},
		{"line clear number emergency", "[[lines]]\nid = \"a\"\nclear_line_numbers = [\"112\"]\n", "", "lines[0].clear_line_numbers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.toml")
			if err := os.WriteFile(p, []byte(tt.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{}
			if k, v, ok := strings.Cut(tt.env, "="); ok {
				env[k] = v
			}
			_, err := Load(p, func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "absent.toml"), nil); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestClearLineSettings(t *testing.T) {
	cfg, err := Load("../../examples/clearline.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClearLine.Window.Duration != 30*time.Minute || !contains(cfg.ClearLine.Numbers, "101") {
		t.Fatalf("clear line defaults/example: %+v", cfg.ClearLine)
	}
	env := map[string]string{
		"CLEARLINE_CLEAR_LINE_WINDOW":       "10m",
		"CLEARLINE_CLEAR_LINE_BANK_NUMBERS": "03457404404, +44 345 300 0000",
	}
	cfg, err = Load("../../examples/clearline.toml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClearLine.Window.Duration != 10*time.Minute || len(cfg.ClearLine.BankNumbers) != 2 || cfg.ClearLine.BankNumbers[1] != "+44 345 300 0000" {
		t.Fatalf("clear line overrides not applied: %+v", cfg.ClearLine)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
