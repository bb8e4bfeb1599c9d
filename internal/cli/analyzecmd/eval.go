package analyzecmd

import (
	"fmt"
	"io"

	"github.com/clearline/clearline/internal/transcript"
)

// Eval accumulates the confusion matrix of verdicts against labels. A call
// labelled scam counts as caught only when the verdict is scam;
// "suspicious" is reported separately and counts as not flagged.
type Eval struct {
	TP, FN, FP, TN      int
	BenignSuspicious    int // benign calls that would alert without interrupting
	ScamSuspicious      int // scam calls only marked suspicious
	flaggedTurnSum      int
	Missed, FalseAlarms []string
}

// Report is --eval --json output.
type Report struct {
	Calls             int      `json:"calls"`
	TP                int      `json:"true_positives"`
	FN                int      `json:"false_negatives"`
	FP                int      `json:"false_positives"`
	TN                int      `json:"true_negatives"`
	Precision         float64  `json:"precision"`
	Recall            float64  `json:"recall"`
	FalsePositiveRate float64  `json:"false_positive_rate"`
	MeanFlaggedTurn   float64  `json:"mean_flagged_turn"`
	BenignSuspicious  int      `json:"benign_suspicious"`
	ScamSuspicious    int      `json:"scam_suspicious"`
	Missed            []string `json:"missed"`
	FalseAlarms       []string `json:"false_alarms"`
}

// Add counts one call. It fails for a call without a label.
func (e *Eval) Add(c transcript.Call, r Result) error {
	flagged := r.Verdict == "scam"
	switch c.Label {
	case "scam":
		if flagged {
			e.TP++
			e.flaggedTurnSum += r.FlaggedAtTurn
		} else {
			e.FN++
			e.Missed = append(e.Missed, c.ID)
			if r.Verdict == "suspicious" {
				e.ScamSuspicious++
			}
		}
	case "benign":
		if flagged {
			e.FP++
			e.FalseAlarms = append(e.FalseAlarms, c.ID)
		} else {
			e.TN++
			if r.Verdict == "suspicious" {
				e.BenignSuspicious++
			}
		}
	default:
		return &transcript.LineError{Line: c.Line, Err: fmt.Errorf("call %q has no label; --eval needs scam or benign", c.ID)}
	}
	return nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Report computes the figures.
func (e *Eval) Report() Report {
	return Report{
		Calls: e.TP + e.FN + e.FP + e.TN, TP: e.TP, FN: e.FN, FP: e.FP, TN: e.TN,
		Precision: ratio(e.TP, e.TP+e.FP), Recall: ratio(e.TP, e.TP+e.FN),
		FalsePositiveRate: ratio(e.FP, e.FP+e.TN), MeanFlaggedTurn: ratio(e.flaggedTurnSum, e.TP),
		BenignSuspicious: e.BenignSuspicious, ScamSuspicious: e.ScamSuspicious,
		Missed: append([]string{}, e.Missed...), FalseAlarms: append([]string{}, e.FalseAlarms...),
	}
}

// WriteText prints the report for people.
func (e *Eval) WriteText(w io.Writer) {
	r := e.Report()
	fmt.Fprintf(w, "calls: %d\n\n", r.Calls)
	fmt.Fprintf(w, "                 verdict scam   verdict not scam\n")
	fmt.Fprintf(w, "labelled scam    %12d   %16d\n", r.TP, r.FN)
	fmt.Fprintf(w, "labelled benign  %12d   %16d\n\n", r.FP, r.TN)
	fmt.Fprintf(w, "precision            %.3f\n", r.Precision)
	fmt.Fprintf(w, "recall               %.3f\n", r.Recall)
	fmt.Fprintf(w, "false-positive rate  %.3f\n", r.FalsePositiveRate)
	fmt.Fprintf(w, "mean flagged turn    %.2f\n", r.MeanFlaggedTurn)
	fmt.Fprintf(w, "suspicious only: %d scam, %d benign\n", r.ScamSuspicious, r.BenignSuspicious)
	if len(r.Missed) > 0 {
		fmt.Fprintf(w, "missed scams: %v\n", r.Missed)
	}
	if len(r.FalseAlarms) > 0 {
		fmt.Fprintf(w, "false alarms: %v\n", r.FalseAlarms)
	}
}
