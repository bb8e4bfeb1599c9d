package app

import (
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/guard"
)

// clearLine turns the [clear_line] settings and the lines' own
// verification numbers into the guard's clear-line policy.
func clearLine(cfg config.Config) guard.ClearLine {
	cl := guard.ClearLine{
		HomeRegion:  cfg.Screening.HomeRegion, // read as the screener reads caller IDs
		Numbers:     append(append([]string(nil), cfg.ClearLine.Numbers...), cfg.ClearLine.BankNumbers...),
		LineNumbers: map[string][]string{},
		Window:      cfg.ClearLine.Window.Duration,
		Emergency:   cfg.Emergency.Numbers,
		LineNames:   map[string]string{},
	}
	for _, l := range cfg.Lines {
		cl.LineNumbers[l.ID] = l.ClearLineNumbers
		cl.LineNames[l.ID] = l.Name
	}
	return cl
}
