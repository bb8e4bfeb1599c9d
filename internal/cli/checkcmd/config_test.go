package checkcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearline/clearline/internal/cli"
)

// check --config screens with the lines and lists serve would load.
func TestCheckWithConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(filepath.Join(dir, "blocked.csv"), []byte("number\n01142 345679\n"), 0o600)
	os.WriteFile(cfg, []byte(`
[store]
dsn = "`+filepath.Join(dir, "x.db")+`"
[[lines]]
id = "mum"
trusted = ["+442071838750"]
blocked_file = "`+filepath.Join(dir, "blocked.csv")+`"
[[lines]]
id = "dad"
unknown_callers = "block"
`), 0o600)
	tests := []struct {
		args     []string
		decision string
		errPart  string
	}{
		{[]string{"--config", cfg, "--line", "mum", "--json", "+442071838750"}, "allow", ""},
		{[]string{"--config", cfg, "--line", "mum", "--json", "+441142345679"}, "block", ""},
		{[]string{"--config", cfg, "--line", "mum", "--json", "+441142345678"}, "challenge", ""},
		{[]string{"--config", cfg, "--line", "dad", "--json", "+441142345678"}, "block", ""},
		{[]string{"--config", cfg, "--json", "+441142345678"}, "", "--line is needed"},
		{[]string{"--config", cfg, "--line", "gran", "+441142345678"}, "", "no such line"},
		{[]string{"--config", cfg, "--line", "mum", "--trusted", "x.vcf", "+441142345678"}, "", "drop the list"},
		{[]string{"--config", filepath.Join(dir, "absent.toml"), "+441142345678"}, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			err := Run(context.Background(), tt.args, cli.IO{Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want %q", err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ Decision string }
			if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Decision != tt.decision {
				t.Fatalf("output %s (err %v), want decision %s", out.String(), err, tt.decision)
			}
		})
	}
}
