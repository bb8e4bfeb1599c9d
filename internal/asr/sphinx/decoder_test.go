//go:build cgo && !nosphinx

package sphinx

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearline/clearline/internal/asr/audio"
	"github.com/clearline/clearline/internal/testpeer"
)

func requireModel(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(DefaultModelDir, "mdef")); err != nil {
		msg := "pocketsphinx-en-us model missing (install with scripts/install-deps.sh)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// speak returns flite's slt voice saying text at 16 kHz, with 0.3 s of
// silence before and after.
func speak(t *testing.T, text string) []int16 {
	t.Helper()
	testpeer.Require(t, "flite", "sox")
	dir := t.TempDir()
	raw, wav := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "speech.wav")
	for _, cmd := range [][]string{
		{"flite", "-voice", "slt", "-t", text, "-o", raw},
		{"sox", "-R", raw, "-r", "16000", "-b", "16", "-c", "1", wav, "pad", "0.3", "0.3"},
	} {
		if out, err := exec.CommandContext(context.Background(), cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", cmd, err, out)
		}
	}
	f, err := os.Open(wav)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, rate, err := audio.ReadWAV(f)
	if err != nil || rate != SampleRate {
		t.Fatalf("read %s: %v (rate %d)", wav, err, rate)
	}
	return pcm
}

func decode(t *testing.T, d *Decoder, pcm []int16) []Word {
	t.Helper()
	if err := d.StartUtt(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pcm); i += 320 {
		if err := d.Process(pcm[i:min(i+320, len(pcm))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.EndUtt(); err != nil {
		t.Fatal(err)
	}
	return d.Words()
}

func TestKeywordSpotting(t *testing.T) {
	requireModel(t)
	pcm := speak(t, "we need you to withdraw cash from your bank today")
	frames := len(pcm) / (SampleRate / FrameRate)
	tests := []struct {
		threshold float64
		want      bool // "withdraw cash" detected
	}{
		{1e-30, true},
		{1e-5, true},
		{1e+80, false}, // far above any score the phrase can reach
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("threshold %g", tt.threshold), func(t *testing.T) { spot(t, pcm, frames, tt.threshold, tt.want) })
	}
}

func spot(t *testing.T, pcm []int16, frames int, threshold float64, want bool) {
	m, err := Prepare(Options{
		Keyphrases: []Keyphrase{{"withdraw cash", threshold}, {"courier(2)", threshold}},
		ExtraDict:  []string{"courier(2) K UH R IY ER"},
		Args:       []string{"-remove_silence", "no"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d, err := m.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Twice on one decoder: word frames count from each utterance's start,
	// not the decoder's.
	first := -1
	for pass := range 2 {
		words := decode(t, d, pcm)
		var got *Word
		for i, w := range words {
			if w.Score < math.Log10(threshold)-1e-9 {
				t.Errorf("%q reported with score %.2f below the threshold", w.Text, w.Score)
			}
			if w.Key == "withdraw cash" {
				got = &words[i]
			}
		}
		if (got != nil) != want {
			t.Fatalf("pass %d: detected %v, want %v (words %+v)", pass, got != nil, want, words)
		}
		if got == nil {
			continue
		}
		if got.Text != "withdraw cash" || got.StartFrame < 30 || got.EndFrame <= got.StartFrame || got.EndFrame >= frames {
			t.Errorf("pass %d: detection %+v outside the %d-frame utterance", pass, *got, frames)
		}
		// The channel estimate adapts after the first pass, which may move
		// the alignment a little; frames counted from the decoder's start
		// would be a whole utterance (hundreds of frames) later.
		if pass == 0 {
			first = got.StartFrame
		} else if got.StartFrame > first+20 || got.StartFrame < first-20 {
			t.Errorf("second utterance detection at frame %d, first at %d", got.StartFrame, first)
		}
	}
}

func TestPrepareErrors(t *testing.T) {
	requireModel(t)
	tests := []struct {
		name string
		opts Options
		err  string
	}{
		{"no model", Options{ModelDir: t.TempDir(), Keyphrases: []Keyphrase{{"cash", 1e-5}}}, "acoustic model"},
		{"word not in the dictionary", Options{Keyphrases: []Keyphrase{{"anydesk now", 1e-5}}}, "not in"},
		{"odd arguments", Options{Keyphrases: []Keyphrase{{"cash", 1e-5}}, Args: []string{"-beam"}}, "name, value pairs"},
		{"no language model", Options{LM: filepath.Join(t.TempDir(), "x.lm.bin")}, "language model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Prepare(tt.opts)
			if err == nil {
				m.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %q, want it to mention %q", err, tt.err)
			}
		})
	}
	m, err := Prepare(Options{Keyphrases: []Keyphrase{{"cash", 1e-5}}, Args: []string{"-no_such_option", "1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.NewDecoder(); err == nil {
		t.Error("decoder made with an unknown option")
	}
}

// A decoder adapts its channel estimate as it decodes; ResetCMN puts back
// the one it started from (CMNInit).
func TestCMN(t *testing.T) {
	requireModel(t)
	init := []float64{40, 30, -35, 40, -20, -20, 10, -40, -10, -10, -15, 4, -13}
	m, err := Prepare(Options{Keyphrases: []Keyphrase{{"withdraw cash", 1e-20}}, CMNInit: init})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d, err := m.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	near := func(a, b []float64) bool {
		return len(a) == len(b) && !slices.ContainsFunc(a, func(x float64) bool {
			i := slices.Index(a, x)
			return math.Abs(x-b[i]) > 0.01
		})
	}
	if got := d.CMN(); !near(got, init) {
		t.Fatalf("initial CMN %.2f, want %.2f", got, init)
	}
	decode(t, d, speak(t, "please withdraw cash and give it to the courier"))
	if near(d.CMN(), init) {
		t.Error("CMN did not adapt to the speech")
	}
	d.ResetCMN()
	if got := d.CMN(); !near(got, init) {
		t.Errorf("CMN after reset %.2f, want %.2f", got, init)
	}
	bad, err := Prepare(Options{Keyphrases: []Keyphrase{{"cash", 1e-5}}, CMNInit: []float64{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.NewDecoder(); err == nil {
		t.Error("decoder made with 2 cepstral means for a 13-dimensional model")
	}
}

// Full transcription with the en-us language model works on clean 16 kHz
// speech (on telephone audio it does not: see the asr package's README).
func TestTranscription(t *testing.T) {
	requireModel(t)
	if testing.Short() {
		t.Skip("loads the 27 MB language model")
	}
	m, err := Prepare(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d, err := m.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var text []string
	for _, w := range decode(t, d, speak(t, "this is detective inspector burns from the police")) {
		text = append(text, w.Text)
	}
	got := strings.Join(text, " ")
	for _, w := range []string{"detective", "inspector", "police"} {
		if !strings.Contains(got, w) {
			t.Errorf("transcript %q lacks %q", got, w)
		}
	}
}
