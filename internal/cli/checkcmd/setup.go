package checkcmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/clearline/clearline/internal/cli"
	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/importer"
)

// setup is what one check runs against.
type setup struct {
	screener *screen.Screener
	line     *screen.Line // nil: no line
}

// build makes the screener and the line from the options: shared lists
// from --blocklist and --dno, the line from --trusted, --quiet-hours and
// the other line flags. A lines source from a configuration (--config)
// slots in where lineFromFlags is called. Import reports go to report.
func build(ctx context.Context, o options, report io.Writer) (setup, error) {
	s, err := screen.New(screen.Config{HomeRegion: o.region})
	if err != nil {
		return setup{}, cli.Usagef("--region %s: %v", o.region, err)
	}
	if o.dno != "" {
		nums, err := loadNumbers(ctx, s, "--dno", o.dno, report)
		if err != nil {
			return setup{}, err
		}
		s.Lists().SetDNO(nums)
	}
	if o.blocklist != "" {
		nums, err := loadNumbers(ctx, s, "--blocklist", o.blocklist, report)
		if err != nil {
			return setup{}, err
		}
		s.Lists().SetCommunity(nums)
	}
	line, err := lineFromFlags(ctx, o, s, report)
	if err != nil {
		return setup{}, err
	}
	return setup{screener: s, line: line}, nil
}

// lineFromFlags builds the line the flags describe, if any. Without line
// flags there is no line to find: --line then names no such line.
func lineFromFlags(ctx context.Context, o options, s *screen.Screener, report io.Writer) (*screen.Line, error) {
	if !o.lineSettings {
		if o.line != "" {
			return nil, fmt.Errorf("no such line %q: no configuration is loaded, and no line flags (--trusted, --quiet-hours, --unknown, --anonymous, --block-international) describe one", o.line)
		}
		return nil, nil
	}
	var p screen.Policy
	var err error
	if o.quietHours != "" {
		if p.QuietHours, err = screen.ParseQuietHours(o.quietHours, time.Local); err != nil {
			return nil, cli.Usagef("--quiet-hours: %v", err)
		}
	}
	if o.unknown != "" {
		if p.UnknownAction, err = screen.ParseAction(o.unknown); err != nil {
			return nil, cli.Usagef("--unknown: %v", err)
		}
	}
	if o.anonymous != "" {
		if p.AnonymousAction, err = screen.ParseAction(o.anonymous); err != nil {
			return nil, cli.Usagef("--anonymous: %v", err)
		}
	}
	p.BlockInternational = o.blockAbroad
	id := o.line
	if id == "" {
		id = "check"
	}
	line, err := screen.NewLine(id, p)
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	if o.trusted != "" {
		cs, err := loadContacts(ctx, s, o.trusted, report)
		if err != nil {
			return nil, err
		}
		line.AddTrusted(cs...)
	}
	return line, nil
}

// progressFrom is the file size above which imports show progress.
const progressFrom = 8 << 20

func loadNumbers(ctx context.Context, s *screen.Screener, flagName, path string, report io.Writer) ([]screen.Number, error) {
	f, size, err := openList(flagName, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opt := importer.Options{Parser: s.Parser(), Progress: progress(report, path, size)}
	nums, sum, err := importer.ReadNumbers(ctx, f, opt)
	printSummary(report, flagName, path, "numbers", sum)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s %s: %w", flagName, path, err)
	}
	return nums, nil
}

func loadContacts(ctx context.Context, s *screen.Screener, path string, report io.Writer) ([]screen.Contact, error) {
	f, size, err := openList("--trusted", path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opt := importer.Options{Parser: s.Parser(), Progress: progress(report, path, size)}
	cs, sum, err := importer.ReadContacts(ctx, f, importer.FormatFor(path), opt)
	printSummary(report, "--trusted", path, "contacts", sum)
	if err != nil {
		return nil, fmt.Errorf("cannot read --trusted %s: %w", path, err)
	}
	return cs, nil
}

func openList(flagName, path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read %s: %w", flagName, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("cannot read %s: %w", flagName, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("cannot read %s %s: it is a directory", flagName, path)
	}
	return f, st.Size(), nil
}

// progress returns a progress display for big files, or nil.
func progress(w io.Writer, path string, size int64) func(importer.Progress) {
	if size < progressFrom {
		return nil
	}
	name := filepath.Base(path)
	return func(p importer.Progress) {
		pct := 100 * p.Bytes / size
		end := ""
		if p.Bytes >= size {
			end = "\n"
		}
		fmt.Fprintf(w, "\rreading %s: %d lines (%d%%)%s", name, p.Lines, pct, end)
	}
}

// maxShown is how many rejected lines the report lists.
const maxShown = 20

func printSummary(w io.Writer, flagName, path, what string, s importer.Summary) {
	fmt.Fprintf(w, "%s %s: %d %s, %d duplicate(s), %d line(s) skipped, %d line(s) rejected\n",
		flagName, filepath.Base(path), s.Added, what, s.Duplicates, s.Skipped, s.RejectedTotal)
	for i, r := range s.Rejected {
		if i == maxShown {
			fmt.Fprintf(w, "  … and %d more rejected line(s)\n", s.RejectedTotal-maxShown)
			break
		}
		fmt.Fprintf(w, "  line %d: %s: %s\n", r.Line, r.Text, r.Reason)
	}
}
