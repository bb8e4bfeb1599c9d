package gateway

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// The first gateway built sets how long sipgo keeps finished transactions
// (timers J, L, M and D); sipgo holds them in package variables, so a
// later gateway asking for another value keeps the first and says so.
// This is the only test in the package that builds a Gateway.
func TestTransactionLingerSetOncePerProcess(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	build := func(linger time.Duration) {
		t.Helper()
		cfg := Config{Host: "127.0.0.1", Realm: "clearline", MediaIP: netip.MustParseAddr("127.0.0.1"),
			MediaPortMin: 47000, MediaPortMax: 47099, TransactionLinger: linger}
		if _, err := New(cfg, nil, log); err != nil {
			t.Fatal(err)
		}
	}
	build(7 * time.Second)
	for name, got := range map[string]time.Duration{"J": sip.Timer_J, "L": sip.Timer_L, "M": sip.Timer_M, "D": sip.Timer_D} {
		if got != 7*time.Second {
			t.Errorf("Timer_%s = %v, want 7s", name, got)
		}
	}
	build(9 * time.Second)
	if sip.Timer_L != 7*time.Second {
		t.Errorf("a second gateway changed Timer_L to %v", sip.Timer_L)
	}
	if !strings.Contains(logs.String(), "set once per process") {
		t.Errorf("no warning for the second gateway's linger; log: %s", logs.String())
	}
}
