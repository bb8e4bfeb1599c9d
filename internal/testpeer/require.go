package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Require skips the test when one of the named tools (executables looked up in
// PATH, e.g. "sipp", "baresip", "sox", "flite", "tcpdump") is missing. When the
// environment variable CI is "true" a missing tool fails the test instead: CI
// installs everything (scripts/install-deps.sh), so a missing tool there is a
// broken build, not a reason to skip.
//
// The pseudo-tool "root" requires the effective user to be root, which SIPp's
// play_pcap_audio (raw sockets) and tcpdump need.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	var missing []string
	for _, tool := range tools {
		if tool == "root" {
			if os.Geteuid() != 0 {
				missing = append(missing, "root (raw sockets for play_pcap_audio/tcpdump)")
			}
			continue
		}
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("testpeer: missing %s (install with scripts/install-deps.sh)", strings.Join(missing, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
