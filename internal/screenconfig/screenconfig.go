// Package screenconfig builds the screener and each line's lists and
// policy from clearline's configuration, loading the list files it names
// with the screen importers. serve and 'check --config' both use it, so
// check shows exactly what the running gateway decides.
package screenconfig

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/importer"
)

// Build returns the screener (shared lists loaded) and the lines by ID.
// Import summaries (added, duplicates, rejected lines) go to report. Any
// unreadable file or bad entry in the config is an error: a gateway that
// cannot load its block list must not start as if it had none.
func Build(ctx context.Context, cfg config.Config, report io.Writer) (*screen.Screener, map[string]*screen.Line, error) {
	s, err := screen.New(screen.Config{HomeRegion: cfg.Screening.HomeRegion})
	if err != nil {
		return nil, nil, fmt.Errorf("screening: %w", err)
	}
	s.Parser().Prepare()
	if f := cfg.Screening.DNOFile; f != "" {
		nums, err := loadNumbers(ctx, s, f, report)
		if err != nil {
			return nil, nil, fmt.Errorf("screening.dno_file: %w", err)
		}
		s.Lists().SetDNO(nums)
	}
	if f := cfg.Screening.CommunityBlocklistFile; f != "" {
		nums, err := loadNumbers(ctx, s, f, report)
		if err != nil {
			return nil, nil, fmt.Errorf("screening.community_blocklist_file: %w", err)
		}
		s.Lists().SetCommunity(nums)
	}
	lines := map[string]*screen.Line{}
	for _, lc := range cfg.Lines {
		l, err := buildLine(ctx, s, lc, report)
		if err != nil {
			return nil, nil, fmt.Errorf("line %s: %w", lc.ID, err)
		}
		lines[lc.ID] = l
	}
	return s, lines, nil
}

func buildLine(ctx context.Context, s *screen.Screener, lc config.Line, report io.Writer) (*screen.Line, error) {
	var p screen.Policy
	var err error
	if lc.UnknownCallers != "" {
		if p.UnknownAction, err = screen.ParseAction(lc.UnknownCallers); err != nil {
			return nil, fmt.Errorf("unknown_callers: %w", err)
		}
	}
	if lc.WithheldCallers != "" {
		if p.AnonymousAction, err = screen.ParseAction(lc.WithheldCallers); err != nil {
			return nil, fmt.Errorf("withheld_callers: %w", err)
		}
	}
	if lc.QuietHours != "" {
		if p.QuietHours, err = screen.ParseQuietHours(lc.QuietHours, time.Local); err != nil {
			return nil, fmt.Errorf("quiet_hours: %w", err)
		}
	}
	p.BlockInternational = lc.BlockInternational
	l, err := screen.NewLine(lc.ID, p)
	if err != nil {
		return nil, err
	}
	for _, t := range lc.Trusted {
		n, err := s.Parser().Parse(t)
		if err != nil {
			return nil, fmt.Errorf("trusted %q: %w", t, err)
		}
		l.AddTrusted(screen.Contact{Number: n})
	}
	if lc.TrustedFile != "" {
		f, err := os.Open(lc.TrustedFile)
		if err != nil {
			return nil, fmt.Errorf("trusted_file: %w", err)
		}
		defer f.Close()
		cs, sum, err := importer.ReadContacts(ctx, f, importer.FormatFor(lc.TrustedFile), importer.Options{Parser: s.Parser()})
		summarise(report, lc.TrustedFile, "trusted contacts", sum)
		if err != nil {
			return nil, fmt.Errorf("trusted_file %s: %w", lc.TrustedFile, err)
		}
		l.AddTrusted(cs...)
	}
	var blocked []screen.Number
	for _, b := range lc.Blocked {
		n, err := s.Parser().Parse(b)
		if err != nil {
			return nil, fmt.Errorf("blocked %q: %w", b, err)
		}
		blocked = append(blocked, n)
	}
	if lc.BlockedFile != "" {
		nums, err := loadNumbers(ctx, s, lc.BlockedFile, report)
		if err != nil {
			return nil, fmt.Errorf("blocked_file: %w", err)
		}
		blocked = append(blocked, nums...)
	}
	if len(blocked) > 0 {
		l.Block(blocked...)
	}
	return l, nil
}

func loadNumbers(ctx context.Context, s *screen.Screener, path string, report io.Writer) ([]screen.Number, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	nums, sum, err := importer.ReadNumbers(ctx, f, importer.Options{Parser: s.Parser()})
	summarise(report, path, "numbers", sum)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nums, nil
}

func summarise(w io.Writer, path, what string, sum importer.Summary) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "%s: %d %s loaded, %d duplicates, %d lines rejected\n", path, sum.Added, what, sum.Duplicates, sum.RejectedTotal)
	for _, r := range sum.Rejected {
		fmt.Fprintf(w, "  line %d: %s (%s)\n", r.Line, r.Text, r.Reason)
	}
}
