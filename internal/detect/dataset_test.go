package detect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/clearline/clearline/internal/cli/analyzecmd"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/transcript"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func evaluate(t *testing.T, file string) analyzecmd.Report {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ev analyzecmd.Eval
	err = analyzecmd.Analyze(context.Background(), f, func(c transcript.Call, a detect.Assessment) error {
		return ev.Add(c, analyzecmd.ResultOf(c, a))
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev.Report()
}

// TestDevelopmentSet holds the detector to the targets on the
// labelled development set: recall >= 0.97 at a false-positive rate <= 0.01.
func TestDevelopmentSet(t *testing.T) {
	r := evaluate(t, "testdata/calls-dev.jsonl")
	t.Logf("dev: recall %.3f precision %.3f FPR %.3f mean flagged turn %.2f (TP %d FN %d FP %d TN %d) missed %v false alarms %v",
		r.Recall, r.Precision, r.FalsePositiveRate, r.MeanFlaggedTurn, r.TP, r.FN, r.FP, r.TN, r.Missed, r.FalseAlarms)
	if r.Calls != 50 {
		t.Fatalf("read %d calls, want 50", r.Calls)
	}
	if r.Recall < 0.97 || r.FalsePositiveRate > 0.01 {
		t.Errorf("recall %.3f (want >= 0.97), FPR %.3f (want <= 0.01)", r.Recall, r.FalsePositiveRate)
	}
}

// TestUnseenSets holds the detector to floors on calls the rules were not
// written from, to catch a rule change that overfits the development set:
//
//   - bothbosu-test.jsonl: BothBosu (US-style, both parties' words
//     labelled caller);
//   - heldout.jsonl: 80 UK calls written independently of the rules. Its
//     misses were studied when the rules were generalised (December 2026),
//     so it is no longer unseen: its floor guards against regressions;
//   - fresh.jsonl: 68 calls written before that round of rule changes and
//     not studied while making them. Measured once afterwards: recall
//     0.912, FPR 0.059 (from 0.735 and 0.147); then one planned fix
//     ("you'll" as second person) gave recall 0.971. Do not tune on it.
//
// Floors are what was reached minus about one call.
func TestUnseenSets(t *testing.T) {
	for _, tc := range []struct {
		file           string
		minRecall, fpr float64
	}{
		{"testdata/bothbosu-test.jsonl", 0.97, 0.02},
		{"testdata/heldout.jsonl", 0.95, 0.03},
		{"testdata/fresh.jsonl", 0.94, 0.09},
	} {
		if _, err := os.Stat(tc.file); err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		r := evaluate(t, tc.file)
		t.Logf("%s: recall %.3f precision %.3f FPR %.3f mean flagged turn %.2f missed %v false alarms %v",
			tc.file, r.Recall, r.Precision, r.FalsePositiveRate, r.MeanFlaggedTurn, r.Missed, r.FalseAlarms)
		if r.Recall < tc.minRecall || r.FalsePositiveRate > tc.fpr {
			t.Errorf("%s: recall %.3f (want >= %.2f), FPR %.3f (want <= %.2f)", tc.file, r.Recall, tc.minRecall, r.FalsePositiveRate, tc.fpr)
		}
	}
}

// TestGolden pins `clearline analyze --json` output for the dev set, so a
// rule change shows up as a reviewable diff (go test -run Golden -update).
func TestGolden(t *testing.T) {
	var out bytes.Buffer
	in, err := os.ReadFile("testdata/calls-dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(&out)
	err = analyzecmd.Analyze(context.Background(), bytes.NewReader(in), func(c transcript.Call, a detect.Assessment) error {
		return enc.Encode(analyzecmd.ResultOf(c, a))
	})
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/calls-dev.golden.jsonl"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		gl, wl := bytes.Split(out.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("line %d differs:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("output has %d lines, golden %d", len(gl), len(wl))
	}
}
