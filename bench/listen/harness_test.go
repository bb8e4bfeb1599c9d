package listen

// The gateway between real peers, as in internal/e2e/env_test.go:
// clearline in-process (apptest) with the embedded recogniser, baresip
// registered as the protected phone (auto-answer, recording what it
// hears), SIPp as the provider.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/app"
	"github.com/clearline/clearline/internal/app/apptest"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/testpeer"
)

const (
	lineNumber = "+441632960001"
	phoneUser  = "mum-phone"
	phonePass  = "correct-horse-battery"
	// An unknown caller (valid UK geographic number, not a trusted contact).
	strangerNumber = "+441142345678"
)

// mediaBlocks hands each concurrent call its own RTP port range, above
// what internal/e2e uses (61000-65000) so a measurement can run beside it.
var mediaBlocks = func() chan int {
	c := make(chan int, 5)
	for i := range 5 {
		c <- 65000 + i*100
	}
	return c
}()

// env is one running clearline with a registered baresip phone.
type env struct {
	ctx   context.Context
	app   *app.App
	phone *testpeer.Baresip
}

func newEnv(t *testing.T, onAssessment func(*gateway.Call, detect.Assessment)) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	base := <-mediaBlocks
	t.Cleanup(func() { mediaBlocks <- base })

	cfg := config.Default()
	cfg.SIP.Listen = "127.0.0.1:0"
	cfg.Media.PortMin, cfg.Media.PortMax = base, base+99
	cfg.Media.RingTimeout = config.Duration{Duration: 15 * time.Second}
	cfg.Media.RTPTimeout = config.Duration{Duration: 30 * time.Second}
	cfg.Trunk.Address = "127.0.0.1:9"
	cfg.Trunk.AllowedSources = []string{"127.0.0.1"}
	cfg.Store.DSN = filepath.Join(t.TempDir(), "clearline.db")
	cfg.Log.Level = "debug"
	cfg.Listening.Recognizer = "embedded"
	cfg.Lines = []config.Line{{ID: "mum", Name: "Mum", Postcode: "AL1 3XY", Numbers: []string{lineNumber},
		Phones: []config.Phone{{Username: phoneUser, Password: phonePass}}, UnknownCallers: "allow", OnScam: "warn-and-end"}}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}

	e := &env{ctx: ctx}
	a, _ := apptest.Start(ctx, t, cfg, slog.LevelDebug, app.Options{OnAssessment: onAssessment})
	e.app = a

	ph, err := testpeer.StartBaresip(ctx, t, testpeer.BaresipOptions{Registrar: a.SIPAddr(), User: phoneUser, Password: phonePass,
		AutoAnswer: true, Record: true, MaxLifetime: 150 * time.Second})
	if err != nil {
		t.Fatalf("start baresip: %v", err)
	}
	e.phone = ph
	if err := ph.WaitRegistered(ctx); err != nil {
		t.Fatalf("phone did not register: %v", err)
	}
	return e
}

// speak synthesises text with a flite voice as 8 kHz PCM, cached by voice
// and text (flite is deterministic) under the user cache directory.
func speak(voice, text string) ([]int16, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "clearline", "bench-listen")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(voice + "\x00" + text))
	p := filepath.Join(dir, hex.EncodeToString(h[:8])+".wav")
	if _, err := os.Stat(p); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tmp := p + ".tmp.wav"
		if err := testpeer.Speak(ctx, text, tmp, "flite:"+voice); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, p); err != nil {
			return nil, err
		}
	}
	pcm, rate, err := testpeer.ReadWAV(p)
	if err == nil && rate != testpeer.PhoneRate {
		err = fmt.Errorf("%s: rate %d", p, rate)
	}
	return pcm, err
}

// speechSpan returns the first and last sample of speech in pcm: the
// 10 ms blocks louder than 1/30 of the loudest block (-30 dB).
func speechSpan(pcm []int16) (int, int) {
	const n = testpeer.PhoneRate / 100
	var env []float64
	peak := 0.0
	for off := 0; off+n <= len(pcm); off += n {
		r := testpeer.RMS(pcm[off : off+n])
		env = append(env, r)
		peak = math.Max(peak, r)
	}
	first, last := -1, -1
	for i, r := range env {
		if r > peak/30 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, 0
	}
	return first * n, (last + 1) * n
}

// locate finds needle in haystack with testpeer.ContainsAt (best Pearson
// correlation of 20 ms loudness envelopes over every offset) and returns
// the sample offset in haystack of needle's first sample and the
// correlation. from limits the search to offsets at or after that sample
// (rounded down to a 20 ms block).
func locate(haystack, needle []int16, from int) (int, float64) {
	const block = testpeer.PhoneRate / 50
	from = min(from/block*block, len(haystack))
	c, at := testpeer.ContainsAt(haystack[from:], needle, testpeer.PhoneRate)
	return from + int(at*testpeer.PhoneRate/time.Second), c
}

func samplesDur(n int) time.Duration { return time.Duration(n) * time.Second / testpeer.PhoneRate }
