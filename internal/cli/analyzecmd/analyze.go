// Package analyzecmd implements 'clearline analyze': the scam-script
// detector over a file of call transcripts (shared/data/README.md format),
// per call or, with --eval, as a measured evaluation against the labels.
package analyzecmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/clearline/clearline/internal/cli"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/transcript"
)

const usage = `usage: clearline analyze [--json] [--eval] FILE

Runs the scam-script detector over each call in FILE (JSONL, one call per
line; "-" reads standard input) and prints its verdict, score, tactics and
explanation. --json prints one JSON object per call. --eval compares the
verdicts with the calls' labels and prints the confusion matrix, precision,
recall, false-positive rate and the mean turn at which scams were flagged.`

// Result is one call's line of --json output.
type Result struct {
	ID            string   `json:"id"`
	Verdict       string   `json:"verdict"`
	Score         float64  `json:"score"`
	FlaggedAtTurn int      `json:"flagged_at_turn"`
	Tactics       []string `json:"tactics"`
	Explanation   string   `json:"explanation"`
}

// Run runs 'clearline analyze' with the arguments after the command name.
func Run(ctx context.Context, args []string, io cli.IO) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.Usage = func() { fmt.Fprintln(io.Err, usage) }
	asJSON := fs.Bool("json", false, "one JSON object per call")
	eval := fs.Bool("eval", false, "evaluate against the labels")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return cli.Usagef("analyze: %v", err)
	}
	if fs.NArg() != 1 {
		return cli.Usagef("analyze: want exactly one FILE\n%s", usage)
	}
	name := fs.Arg(0)
	var in = io.In
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		defer f.Close()
		in = f
	}
	var ev Eval
	enc := json.NewEncoder(io.Out)
	err := Analyze(ctx, in, func(c transcript.Call, a detect.Assessment) error {
		r := ResultOf(c, a)
		if *eval {
			if err := ev.Add(c, r); err != nil {
				return err
			}
			return nil
		}
		if *asJSON {
			return enc.Encode(r)
		}
		return writeText(io.Out, r)
	})
	if err != nil {
		return fmt.Errorf("analyze %s: %w", name, err)
	}
	if *eval {
		if *asJSON {
			return enc.Encode(ev.Report())
		}
		ev.WriteText(io.Out)
	}
	return nil
}

// Analyze runs the detector over every call in r, turn by turn.
func Analyze(ctx context.Context, r io.Reader, fn func(transcript.Call, detect.Assessment) error) error {
	m := detect.Default()
	return transcript.Read(r, func(c transcript.Call) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		call := m.NewCall()
		var a detect.Assessment
		for _, t := range c.Turns {
			sp, _ := detect.ParseSpeaker(t.Speaker) // validated by transcript.Parse
			a = call.Feed(detect.Segment{Speaker: sp, Text: t.Text})
		}
		return fn(c, a)
	})
}

// ResultOf turns an assessment into its JSON line.
func ResultOf(c transcript.Call, a detect.Assessment) Result {
	r := Result{ID: c.ID, Verdict: a.Verdict.String(), Score: a.Score, FlaggedAtTurn: a.FlaggedAtTurn, Tactics: []string{}, Explanation: a.Explanation}
	for _, e := range a.Tactics {
		if e.Kind == detect.KindReassure || e.Kind == detect.KindDiscuss {
			continue
		}
		r.Tactics = append(r.Tactics, e.Tactic)
	}
	return r
}

func writeText(w io.Writer, r Result) error {
	flag := ""
	if r.FlaggedAtTurn > 0 {
		flag = fmt.Sprintf(" (flagged at turn %d)", r.FlaggedAtTurn)
	}
	_, err := fmt.Fprintf(w, "%s: %s %.2f%s\n", r.ID, r.Verdict, r.Score, flag)
	if err == nil && len(r.Tactics) > 0 {
		_, err = fmt.Fprintf(w, "  tactics: %s\n", strings.Join(r.Tactics, ", "))
	}
	if err == nil && r.Explanation != "" {
		_, err = fmt.Fprintf(w, "  %s\n", r.Explanation)
	}
	return err
}
