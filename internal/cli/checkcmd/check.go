// Package checkcmd implements 'clearline check': it shows the screening
// decision for one caller ID, and every reason for it, without placing a
// call. It owns the command's flags and output; the decision itself is
// internal/screen's.
package checkcmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/cli"
	"github.com/clearline/clearline/internal/screen"
)

const usage = `usage: clearline check [flags] NUMBER

Shows what clearline would do with a call from NUMBER (as the provider
presents it: +447700900123, 07700 900123, anonymous…) and why.

flags:
`

// options are the command line, parsed.
type options struct {
	number string
	json   bool

	region       string
	line         string
	blocklist    string // community block list, CSV
	dno          string // Do-Not-Originate list, CSV
	trusted      string // trusted contacts, .vcf or .csv
	at           string // HH:MM, the time of the call (default: now)
	quietHours   string // 21:00-08:00
	unknown      string // challenge | block
	anonymous    string // challenge | block
	blockAbroad  bool
	lineSettings bool   // some flag describes a line
	config       string // clearline's config file: lines and lists as serve loads them
}

// Run runs 'clearline check' with the arguments after the command name.
// The exit status is 0 for any decision; an error means the input (the
// arguments or a list file) could not be read.
func Run(ctx context.Context, args []string, stdio cli.IO) error {
	opts, err := parseArgs(args, stdio.Err)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	now, err := callTime(opts.at, time.Now())
	if err != nil {
		return cli.Usagef("%v", err)
	}
	if opts.config == "" && stdio.Getenv != nil {
		opts.config = stdio.Getenv("CLEARLINE_CONFIG")
	}
	var setup setup
	if opts.config != "" {
		setup, err = fromConfig(ctx, opts, stdio)
	} else {
		setup, err = build(ctx, opts, stdio.Err)
	}
	if err != nil {
		return err
	}
	d := setup.screener.Decide(ctx, screen.Input{CallerID: opts.number, Line: setup.line, Now: now})
	if opts.json {
		return writeJSON(stdio.Out, d)
	}
	return writeText(stdio.Out, d)
}

func parseArgs(args []string, errw io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(errw)
	fs.Usage = func() {
		fmt.Fprint(errw, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.config, "config", "", "clearline's configuration (as for serve): screen with its lines and lists (also CLEARLINE_CONFIG)")
	fs.BoolVar(&o.json, "json", false, `print one JSON object: {"number", "decision", "reasons"}`)
	fs.StringVar(&o.region, "region", "GB", "home region national numbers are read in (ISO 3166 code)")
	fs.StringVar(&o.line, "line", "", "screen as the line with this ID")
	fs.StringVar(&o.blocklist, "blocklist", "", "community block list to load (CSV, one number a line)")
	fs.StringVar(&o.dno, "dno", "", "Do-Not-Originate list to load (CSV)")
	fs.StringVar(&o.trusted, "trusted", "", "the line's trusted contacts (.vcf or .csv)")
	fs.StringVar(&o.at, "at", "", "time of the call, HH:MM today in local time (default: now)")
	fs.StringVar(&o.quietHours, "quiet-hours", "", "the line's quiet hours, such as 21:00-08:00")
	fs.StringVar(&o.unknown, "unknown", "", "the line's action for unknown callers: challenge or block")
	fs.StringVar(&o.anonymous, "anonymous", "", "the line's action for withheld callers: challenge or block")
	fs.BoolVar(&o.blockAbroad, "block-international", false, "the line blocks calls from abroad")

	// Flags may come before or after NUMBER.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return o, err
			}
			return o, cli.Usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	switch len(positional) {
	case 0:
		fs.Usage()
		return o, cli.Usagef("no number given (use \"anonymous\" for a withheld caller ID)")
	case 1:
		o.number = positional[0]
	default:
		return o, cli.Usagef("one number at a time, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "trusted", "quiet-hours", "unknown", "anonymous", "block-international":
			o.lineSettings = true
		}
	})
	return o, nil
}

// callTime returns the time of the call: now, or today at --at.
func callTime(at string, now time.Time) (time.Time, error) {
	if at == "" {
		return now, nil
	}
	tod, err := screen.ParseTimeOfDay(at)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at: %w", err)
	}
	y, m, d := now.Date()
	return time.Date(y, m, d, int(tod)/60, int(tod)%60, 0, 0, now.Location()), nil
}

// jsonDecision is the --json output: exactly the documented object.
type jsonDecision struct {
	Number   string   `json:"number"`
	Decision string   `json:"decision"`
	Reasons  []string `json:"reasons"`
}

func writeJSON(w io.Writer, d screen.Decision) error {
	reasons := d.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	b, err := json.Marshal(jsonDecision{Number: d.Number, Decision: d.Action.String(), Reasons: reasons})
	if err != nil {
		return fmt.Errorf("write decision: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
		return fmt.Errorf("write decision: %w", err)
	}
	return nil
}

func writeText(w io.Writer, d screen.Decision) error {
	var b strings.Builder
	fmt.Fprintf(&b, "number:   %s\n", d.Number)
	fmt.Fprintf(&b, "decision: %s\n", d.Action)
	fmt.Fprintf(&b, "stage:    %s\n", d.Stage)
	b.WriteString("reasons:\n")
	for i, r := range d.Reasons {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, r)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write decision: %w", err)
	}
	return nil
}
