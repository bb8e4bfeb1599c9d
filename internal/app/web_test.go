package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/guard"
	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screenconfig"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqlite"
)

// Settings a carer saved in the dashboard override the config file's at
// the next start, for screening and for the scam policy.
func TestDashboardSettingsAppliedAtStart(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutLineSettings(ctx, store.LineSettings{LineID: "mum", UnknownCallers: "block", WithheldCallers: "block",
		QuietHours: "21:00-08:00", OnScam: guard.WarnAndContinue, UpdatedBy: "son", UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Lines = []config.Line{{ID: "mum", UnknownCallers: "challenge"}, {ID: "dad"}}
	_, lines, err := screenconfig.Build(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	pols := policies(cfg.Lines)
	if err := applyLineSettings(ctx, st, lines, pols); err != nil {
		t.Fatal(err)
	}
	p := lines["mum"].Policy()
	if p.UnknownAction != screen.Block || p.AnonymousAction != screen.Block || p.QuietHours.String() != "21:00–08:00" {
		t.Errorf("mum's policy %+v", p)
	}
	if pols["mum"].OnScam != guard.WarnAndContinue || pols["dad"].OnScam != guard.WarnAndEnd {
		t.Errorf("scam policies %+v", pols)
	}
	if d := lines["dad"].Policy(); d.UnknownAction != screen.Challenge {
		t.Errorf("dad's policy changed: %+v", d)
	}
}
