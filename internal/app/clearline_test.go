package app

import (
	"testing"

	"github.com/clearline/clearline/internal/config"
)

// The clear line reads verification numbers in the screener's home region.
func TestClearLineUsesHomeRegion(t *testing.T) {
	cfg := config.Default()
	cfg.Screening.HomeRegion = "FR"
	cfg.ClearLine.BankNumbers = []string{"0345 740 4404"}
	cl := clearLine(cfg)
	if cl.HomeRegion != "FR" {
		t.Errorf("clear line home region = %q, want FR", cl.HomeRegion)
	}
	if len(cl.Numbers) != len(config.Default().ClearLine.Numbers)+1 {
		t.Errorf("clear line numbers = %q, want the defaults and the bank", cl.Numbers)
	}
}
