package dtmf

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/media"
)

const allKeys = "0123456789*#ABCD"

func ms(d int) int { return d * Rate / 1000 }

func silence(n int) []int16 { return make([]int16, n) }

func cat(parts ...[]int16) []int16 {
	var out []int16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func addNoise(pcm []int16, snrDB float64, seed uint64) []int16 {
	var p float64
	for _, v := range pcm {
		p += float64(v) * float64(v)
	}
	p /= float64(len(pcm))
	sigma := math.Sqrt(p / math.Pow(10, snrDB/10))
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, len(pcm))
	for i, v := range pcm {
		out[i] = int16(max(-32768, min(32767, float64(v)+r.NormFloat64()*sigma)))
	}
	return out
}

func TestKeys(t *testing.T) {
	for _, k := range []byte(allKeys) {
		for _, lvl := range []float64{0, -10, -25} {
			pcm := cat(silence(ms(30)), Generate(k, lvl, ms(60), 0, 0), silence(ms(60)))
			if got := Detect(pcm); got != string(k) {
				t.Errorf("key %c at %v dBm0: detected %q", k, lvl, got)
			}
		}
	}
}

// TestQ24 covers the operate / non-operate limits.
func TestQ24(t *testing.T) {
	tests := []struct {
		name       string
		dev, twist float64
		dur        int // ms
		level      float64
		want       bool
	}{
		{"nominal", 0, 0, 50, -10, true},
		{"+1.5%", 1.5, 0, 50, -10, true},
		{"-1.5%", -1.5, 0, 50, -10, true},
		{"+3.5%", 3.5, 0, 50, -10, false},
		{"-3.5%", -3.5, 0, 50, -10, false},
		{"+5%", 5, 0, 50, -10, false},
		{"normal twist 6 dB", 0, 6, 50, -10, true},
		{"normal twist 8 dB", 0, 8, 50, -10, true},
		{"reverse twist 4 dB", 0, -4, 50, -10, true},
		{"normal twist 16 dB", 0, 16, 50, -5, false},
		{"reverse twist 8 dB", 0, -8, 50, -5, false},
		{"40 ms", 0, 0, 40, -10, true},
		{"20 ms", 0, 0, 20, -10, false},
		{"too quiet -40 dBm0", 0, 0, 50, -40, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []byte(allKeys) {
				// Every alignment of the tone against the detector's windows.
				for off := 0; off < half; off += 7 {
					pcm := cat(silence(ms(20)+off), Generate(k, tc.level, ms(tc.dur), tc.dev, tc.twist), silence(ms(60)))
					got := Detect(pcm)
					if tc.want && got != string(k) || !tc.want && got != "" {
						t.Fatalf("key %c offset %d: detected %q, want detection %v", k, off, got, tc.want)
					}
				}
			}
		})
	}
}

func TestSequenceAndNoise(t *testing.T) {
	var pcm []int16
	for _, k := range []byte(allKeys) {
		pcm = cat(pcm, Generate(k, -8, ms(50), 0, 0), silence(ms(50)))
	}
	if got := Detect(pcm); got != allKeys {
		t.Fatalf("sequence: %q", got)
	}
	for seed := uint64(1); seed <= 5; seed++ {
		if got := Detect(addNoise(pcm, 15, seed)); got != allKeys {
			t.Errorf("sequence at 15 dB SNR (seed %d): %q", seed, got)
		}
	}
	if got := Detect(addNoise(silence(Rate*10), 0, 9)[:Rate*10]); got != "" {
		t.Errorf("white noise detected as %q", got)
	}
}

// TestTalkOff runs minutes of synthetic speech through the detector and
// reports false detections per hour of speech.
func TestTalkOff(t *testing.T) {
	speech := loadSpeech(t)
	got := Detect(speech)
	hours := float64(len(speech)) / Rate / 3600
	t.Logf("FIGURE talk-off: %d false detections in %.1f minutes of espeak-ng speech (%.1f per hour)", len(got), hours*60, float64(len(got))/hours)
	if float64(len(got))/hours > 10 {
		t.Errorf("talk-off: %q in %.1f min of speech", got, hours*60)
	}
}

var texts = []string{
	"Hello, this is the surgery calling about your appointment on Tuesday at eleven. Please ring us back if that time does not suit you.",
	"I was thinking we could go to the garden centre on Saturday and have lunch in the cafe. Your brother might come along as well.",
	"The weather forecast says heavy rain in the morning, clearing by the afternoon, with sunny spells and a light breeze from the west.",
	"Did you remember to take your tablets this morning? The pharmacy said the new prescription will be ready on Thursday.",
	"Seven, eight, nine, ten. One hundred and twenty three. Four thousand five hundred and sixty seven pounds and eighty nine pence.",
	"She sells sea shells on the sea shore, and the shells she sells are sea shells, I'm sure. Peter Piper picked a peck of pickled peppers.",
	"Oh hello dear, it's lovely to hear from you. The grandchildren were round yesterday and we baked a chocolate cake together.",
	"Beep beep, whistle, eee, ooo, aaah, mmm. Hmmm, yes, yes, yes, no, no, no. La la la la la, do re mi fa so la ti do.",
}

func loadSpeech(t *testing.T) []int16 {
	t.Helper()
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/install-deps.sh installs it)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	var all []int16
	for _, voice := range []string{"en-gb", "en-us", "en+f3", "en+m3", "en-gb-x-rp+f4"} {
		for _, speed := range []string{"120", "175"} {
			for i, text := range texts {
				raw := filepath.Join(dir, "raw.wav")
				out := filepath.Join(dir, "out.wav")
				if b, err := exec.CommandContext(ctx, "espeak-ng", "-v", voice, "-s", speed, "-w", raw, text).CombinedOutput(); err != nil {
					t.Fatalf("espeak-ng %s: %v %s", voice, err, b)
				}
				if b, err := exec.CommandContext(ctx, "sox", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", out, "gain", "-n", "-3").CombinedOutput(); err != nil {
					t.Fatalf("sox: %v %s", err, b)
				}
				f, err := os.Open(out)
				if err != nil {
					t.Fatal(err)
				}
				pcm, err := media.ReadWAV(f)
				f.Close()
				if err != nil {
					t.Fatalf("text %d: %v", i, err)
				}
				all = append(all, pcm...)
			}
		}
	}
	return all
}

func TestSuppressor(t *testing.T) {
	var heardKeys []byte
	s := NewSuppressor(func(k byte) { heardKeys = append(heardKeys, k) })
	tones := cat(silence(ms(100)), Generate('5', -5, ms(80), 0, 0), silence(ms(100)), Generate('#', -5, ms(45), 1, 3), silence(ms(200)))
	out := make([]int16, len(tones))
	for i := 0; i+160 <= len(tones); i += 160 {
		s.Process(tones[i:i+160], out[i:i+160])
	}
	if got := Detect(out); got != "" {
		t.Errorf("keys survived suppression: %q", got)
	}
	in, res := energy(tones), energy(out)
	t.Logf("FIGURE suppressor: tone energy reduced by %.1f dB, delay %d samples (%d ms)", 10*math.Log10(in/max(res, 1)), Delay, Delay*1000/Rate)
	if res > in/1000 {
		t.Errorf("residual tone energy %.0f of %.0f (less than 30 dB down)", res, in)
	}
	if string(heardKeys) != "5#" {
		t.Errorf("suppressor reported %q, want 5#", heardKeys)
	}
	// Speech passes unchanged, only delayed.
	if testing.Short() {
		return
	}
	speech := loadSpeech(t)[:Rate*30]
	s = NewSuppressor(nil)
	out = make([]int16, len(speech))
	for i := 0; i+160 <= len(speech); i += 160 {
		s.Process(speech[i:i+160], out[i:i+160])
	}
	same := 0
	for i := Delay; i < len(speech)-160; i++ {
		if out[i] == speech[i-Delay] {
			same++
		}
	}
	if frac := float64(same) / float64(len(speech)-160-Delay); frac < 0.99 {
		t.Errorf("only %.3f of speech samples passed unchanged", frac)
	}
}

func energy(pcm []int16) float64 {
	var e float64
	for _, v := range pcm {
		e += float64(v) * float64(v)
	}
	return e
}

func TestEventKey(t *testing.T) {
	for code, want := range allKeys {
		if k, ok := EventKey(uint8(code)); !ok || k != byte(want) {
			t.Errorf("EventKey(%d) = %c", code, k)
		}
	}
	if _, ok := EventKey(16); ok {
		t.Error("event 16 (not a key) mapped")
	}
}

func FuzzDetector(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3})
	f.Add(make([]byte, 2000))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm := make([]int16, len(b)/2)
		for i := range pcm {
			pcm[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
		}
		_ = Detect(pcm)
		s := NewSuppressor(nil)
		out := make([]int16, len(pcm))
		s.Process(pcm, out)
	})
}

// BenchmarkDetector reports samples per second on one core.
func BenchmarkDetector(b *testing.B) {
	var pcm []int16
	for _, k := range []byte(allKeys) {
		pcm = cat(pcm, Generate(k, -8, ms(50), 0, 0), silence(ms(50)))
	}
	pcm = addNoise(pcm, 20, 3)
	d := NewDetector()
	b.ReportAllocs()
	b.SetBytes(int64(len(pcm) * 2))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Process(pcm, nil)
	}
	b.ReportMetric(float64(b.N)*float64(len(pcm))/b.Elapsed().Seconds(), "samples/s")
}

// TestRowGateChangesNothing: the detector leaves a half's column tones
// uncomputed when the row tones show no window containing it can hold a
// key. Computing everything and classifying every window must give the
// same window hits and digits, on tones, noise and speech.
func TestRowGateChangesNothing(t *testing.T) {
	var tones []int16
	for _, k := range []byte(allKeys) {
		for _, tw := range []float64{-5, 0, 8, 12} {
			tones = cat(tones, Generate(k, -20, ms(45), 2, tw), silence(ms(37)))
		}
	}
	signals := map[string][]int16{
		"tones":       tones,
		"noisy tones": addNoise(tones, 8, 4),
		"noise":       addNoise(cat(silence(Rate*5), Generate('5', -10, Rate, 0, 0)), -3, 5),
	}
	if _, err := exec.LookPath("espeak-ng"); err == nil {
		if _, err := exec.LookPath("sox"); err == nil {
			signals["speech"] = loadSpeech(t)[:Rate*120]
		}
	}
	run := func(pcm []int16, eager bool) ([]int64, string) {
		d := NewDetector()
		d.eager = eager
		var hits []int64
		d.WindowHit = func(at int64) { hits = append(hits, at) }
		var keys []byte
		for off := 0; off < len(pcm); off += 160 {
			d.Process(pcm[off:min(off+160, len(pcm))], func(g Digit) { keys = append(keys, g.Key) })
		}
		return hits, string(keys)
	}
	for name, pcm := range signals {
		gh, gk := run(pcm, false)
		eh, ek := run(pcm, true)
		if gk != ek || len(gh) != len(eh) {
			t.Fatalf("%s: gated %q (%d window hits), eager %q (%d window hits)", name, gk, len(gh), ek, len(eh))
		}
		for i := range gh {
			if gh[i] != eh[i] {
				t.Fatalf("%s: window hit %d at %d gated, %d eager", name, i, gh[i], eh[i])
			}
		}
		if name == "tones" && len(eh) == 0 {
			t.Fatal("no window hits on tones: the comparison proves nothing")
		}
		t.Logf("%s: %d window hits, keys %q, same both ways", name, len(gh), gk)
	}
}
