package asr

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearline/clearline/internal/asr/audio"
	"github.com/clearline/clearline/internal/asr/sphinx"
	"github.com/clearline/clearline/internal/media/g711"
)

// Helpers shared by the tests and the measurement: real speech from flite,
// passed through the telephone channel the way a call carries it.

// requireSphinx skips the test when pocketsphinx or its model is missing,
// or fails it when CI=true (CI installs both).
func requireSphinx(t testing.TB) {
	t.Helper()
	var why string
	switch {
	case !sphinx.Built:
		why = "built without pocketsphinx (CGO_ENABLED=0 or -tags nosphinx)"
	default:
		if _, err := os.Stat(filepath.Join(sphinx.DefaultModelDir, "mdef")); err != nil {
			why = "pocketsphinx-en-us model missing (install with scripts/install-deps.sh)"
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// voice16 are the flite voices that synthesise at 16 kHz; kal is 8 kHz.
var voices16 = []string{"slt", "rms", "awb", "kal16"}

// loadCalls reads a corpus file: one utterance a line, calls separated by
// blank lines, # comments.
func loadCalls(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls [][]string
	var cur []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
		case line == "":
			if len(cur) > 0 {
				calls, cur = append(calls, cur), nil
			}
		default:
			cur = append(cur, line)
		}
	}
	if len(cur) > 0 {
		calls = append(calls, cur)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return calls
}

// speech synthesises and converts test audio, caching files in dir.
type speech struct {
	dir string
}

func (s speech) path(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return filepath.Join(s.dir, hex.EncodeToString(h[:8])+".wav")
}

func run(ctx context.Context, name string, args ...string) error {
	if b, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %q: %w: %s", name, args, err, b)
	}
	return nil
}

// synth returns the path of flite's WAV of text in voice, at the voice's
// own rate (16 kHz, or 8 kHz for kal).
func (s speech) synth(ctx context.Context, voice, text string) (string, error) {
	out := s.path("flite", voice, text)
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	tmp := out + ".tmp.wav"
	if err := run(ctx, "flite", "-voice", voice, "-t", text, "-o", tmp); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}

// clean16 returns the synthesised speech at 16 kHz with silence around it.
func (s speech) clean16(ctx context.Context, voice, text string) ([]int16, error) {
	src, err := s.synth(ctx, voice, text)
	if err != nil {
		return nil, err
	}
	out := s.path("clean16", voice, text)
	if _, err := os.Stat(out); err != nil {
		if err := run(ctx, "sox", "-R", src, "-r", "16000", "-b", "16", "-c", "1", out, "pad", "0.4", "0.6"); err != nil {
			return nil, err
		}
	}
	return readWAV(out, 16000)
}

// phone returns the speech as the caller leg delivers it: band-limited to
// the telephone channel (300-3400 Hz, as G.712), resampled to 8 kHz by
// sox, then encoded to G.711 µ-law and decoded again.
func (s speech) phone(ctx context.Context, voice, text string) ([]int16, error) {
	src, err := s.synth(ctx, voice, text)
	if err != nil {
		return nil, err
	}
	out := s.path("phone8", voice, text)
	if _, err := os.Stat(out); err != nil {
		if err := run(ctx, "sox", "-R", src, "-r", "8000", "-b", "16", "-c", "1", out, "sinc", "300-3400", "pad", "0.4", "0.6"); err != nil {
			return nil, err
		}
	}
	pcm, err := readWAV(out, 8000)
	if err != nil {
		return nil, err
	}
	return ulawRoundTrip(pcm), nil
}

func readWAV(path string, rate int) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pcm, r, err := audio.ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r != rate {
		return nil, fmt.Errorf("%s: %d Hz, want %d", path, r, rate)
	}
	return pcm, nil
}

func ulawRoundTrip(pcm []int16) []int16 {
	enc := make([]byte, len(pcm))
	g711.EncodeULaw(enc, pcm)
	out := make([]int16, len(pcm))
	g711.DecodeULaw(out, enc)
	return out
}

// expectedPhrases returns the phrases of list whose words occur in text,
// in list order.
func expectedPhrases(text string, list []TacticPhrase) []TacticPhrase {
	t := " " + NormalizeText(text) + " "
	var out []TacticPhrase
	for _, p := range list {
		if strings.Contains(t, " "+sphinx.BasePhrase(p.Phrase)+" ") {
			out = append(out, p)
		}
	}
	return out
}

func tacticsOf(ps []TacticPhrase) []string {
	var out []string
	for _, p := range ps {
		if !slices.Contains(out, p.Tactic) {
			out = append(out, p.Tactic)
		}
	}
	slices.Sort(out)
	return out
}

// writeFrames writes pcm to st in 20 ms frames, as the media path does.
func writeFrames(st Stream, pcm []int16) {
	for i := 0; i < len(pcm); i += frameSamples {
		st.Write(pcm[i:min(i+frameSamples, len(pcm))])
	}
}
