package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screenconfig"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqlite"
)

// Numbers trusted or blocked with a key survive a restart: they are read
// back from the store into the lines built from the config.
func TestKeptListsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, e := range []store.ListEntry{
		{LineID: "mum", Kind: "blocked", Number: "+441142345678", AddedBy: "key 9", CreatedAt: now},
		{LineID: "mum", Kind: "trusted", Number: "+441142345679", AddedBy: "key 3", CreatedAt: now},
	} {
		if err := st.AddListEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	// "Restart": a fresh store handle and lines built from the config.
	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	cfg.Lines = []config.Line{{ID: "mum"}}
	s, lines, err := screenconfig.Build(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := loadKeptLists(ctx, st, s, lines); err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]screen.Action{"+441142345678": screen.Block, "+441142345679": screen.Allow, "+441142345670": screen.Challenge} {
		d := s.Decide(ctx, screen.Input{CallerID: number, Line: lines["mum"], Now: now})
		if d.Action != want {
			t.Errorf("%s: %v %q, want %v", number, d.Action, d.Reasons, want)
		}
	}
}
