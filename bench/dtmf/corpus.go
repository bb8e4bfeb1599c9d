package dtmfbench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/clearline/clearline/internal/dtmf"
	"github.com/clearline/clearline/internal/media"
)

const (
	rate    = dtmf.Rate
	allKeys = "123A456B789C*0#D"
	// dontCare marks a clip Q.24 leaves to the implementation (between the
	// must-operate and must-not-operate limits): it counts for agreement
	// and is reported, but not scored for accuracy.
	dontCare = "?"
)

// clip is one labelled test signal.
type clip struct {
	group string // "keys", "frequency", "twist", "duration", "level", "noise", "pause", "talk-off"
	name  string
	pcm   []int16
	want  string // the keys a detector must report, "" none, or dontCare
	// x is the swept parameter (deviation %, twist dB, ms, dBm0, SNR dB)
	// for the group's table.
	x float64
}

func ms(d float64) int { return int(d * rate / 1000) }

// tone returns a dual tone: the row tone at lo Hz and the column tone at
// hi Hz, each at its own level in dBm0 (0 dBm0 = peak 22700, G.711's
// digital milliwatt), starting at phase 0.
func tone(lo, hi, loDBm0, hiDBm0 float64, samples int) []int16 {
	al, ah := 22700*math.Pow(10, loDBm0/20), 22700*math.Pow(10, hiDBm0/20)
	out := make([]int16, samples)
	for n := range out {
		t := float64(n) / rate
		v := al*math.Sin(2*math.Pi*lo*t) + ah*math.Sin(2*math.Pi*hi*t)
		out[n] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

func freqs(k byte) (float64, float64) {
	lo, hi, _ := dtmf.KeyFreqs(k)
	return lo, hi
}

func cat(parts ...[]int16) []int16 {
	var out []int16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func silence(n int) []int16 { return make([]int16, n) }

// framed pads a tone with lead silence (lead samples, which moves it
// against either detector's block boundaries) and 100 ms of trailing
// silence, so both detectors see the end of every key.
func framed(lead int, pcm []int16) []int16 { return cat(silence(ms(20)+lead), pcm, silence(ms(100))) }

func addNoise(pcm []int16, snrDB float64, seed uint64) []int16 {
	var p float64
	var n int
	for _, v := range pcm {
		if v != 0 {
			p += float64(v) * float64(v)
			n++
		}
	}
	p /= float64(max(n, 1))
	sigma := math.Sqrt(p / math.Pow(10, snrDB/10))
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]int16, len(pcm))
	for i, v := range pcm {
		out[i] = int16(max(-32768, min(32767, math.Round(float64(v)+r.NormFloat64()*sigma))))
	}
	return out
}

// leads are tone start offsets against the detectors' blocks.
var leads = []int{0, 17, 29, 43}

// toneClips builds every synthetic clip. Q.24's limits (as used across
// Europe): operate within ±1.5% of nominal frequency, not operate beyond
// ±3.5%; operate with twist up to 8 dB normal (column tone weaker) and 4
// dB reverse; operate on tones of 40 ms and more, not on 20 ms or less;
// operate down to -25 dBm0 per tone; interdigit pauses of 40 ms.
func toneClips() []clip {
	var cs []clip
	for _, k := range []byte(allKeys) {
		lo, hi := freqs(k)
		for _, lvl := range []float64{0, -10, -20, -25} {
			for _, lead := range leads {
				cs = append(cs, clip{group: "keys", name: fmt.Sprintf("%c %v dBm0 +%d", k, lvl, lead), pcm: framed(lead, tone(lo, hi, lvl, lvl, ms(50))), want: string(k), x: lvl})
			}
		}
		// Frequency deviation: both tones, the row tone only, the column tone only.
		for dev := -6.0; dev <= 6.0+1e-9; dev += 0.5 {
			want := dontCare
			switch {
			case math.Abs(dev) <= 1.5+1e-9:
				want = string(k)
			case math.Abs(dev) >= 3.5-1e-9:
				want = ""
			}
			f := 1 + dev/100
			for _, v := range []struct {
				which  string
				lo, hi float64
			}{{"both", lo * f, hi * f}, {"row", lo * f, hi}, {"col", lo, hi * f}} {
				for _, lead := range leads[:2] {
					cs = append(cs, clip{group: "frequency", name: fmt.Sprintf("%c %s %+.1f%% +%d", k, v.which, dev, lead), pcm: framed(lead, tone(v.lo, v.hi, -10, -10, ms(60))), want: want, x: dev})
				}
			}
		}
		// Twist: positive = normal (column weaker), negative = reverse.
		for tw := -10.0; tw <= 16; tw++ {
			want := dontCare
			if tw <= 8 && tw >= -4 {
				want = string(k)
			}
			ll, hl := -6.0, -6.0
			if tw > 0 {
				hl -= tw
			} else {
				ll += tw
			}
			for _, lead := range leads {
				cs = append(cs, clip{group: "twist", name: fmt.Sprintf("%c twist %+v dB +%d", k, tw, lead), pcm: framed(lead, tone(lo, hi, ll, hl, ms(60))), want: want, x: tw})
			}
		}
		for _, d := range []float64{10, 15, 20, 23, 25, 28, 30, 33, 35, 38, 40, 45, 50, 60, 80, 100} {
			want := dontCare
			switch {
			case d >= 40:
				want = string(k)
			case d <= 20:
				want = ""
			}
			for _, lead := range leads {
				cs = append(cs, clip{group: "duration", name: fmt.Sprintf("%c %v ms +%d", k, d, lead), pcm: framed(lead, tone(lo, hi, -10, -10, ms(d))), want: want, x: d})
			}
		}
		for lvl := -45.0; lvl <= 3; lvl += 3 {
			want := dontCare
			if lvl >= -25 {
				want = string(k)
			}
			cs = append(cs, clip{group: "level", name: fmt.Sprintf("%c %v dBm0", k, lvl), pcm: framed(0, tone(lo, hi, lvl, lvl, ms(60))), want: want, x: lvl})
		}
	}
	// Every key in a row, 50 ms on / 50 ms off, in white noise.
	var seq []int16
	for _, k := range []byte(allKeys) {
		lo, hi := freqs(k)
		seq = cat(seq, tone(lo, hi, -8, -8, ms(50)), silence(ms(50)))
	}
	for _, snr := range []float64{30, 20, 15, 12, 10, 8, 6} {
		want := dontCare
		if snr >= 12 {
			want = allKeys
		}
		for seed := uint64(1); seed <= 4; seed++ {
			cs = append(cs, clip{group: "noise", name: fmt.Sprintf("sequence %v dB SNR seed %d", snr, seed), pcm: addNoise(framed(0, seq), snr, seed), want: want, x: snr})
		}
	}
	// The fastest dialling Q.24 allows: 40 ms tones, 40 ms pauses.
	var fast []int16
	for _, k := range []byte(allKeys) {
		lo, hi := freqs(k)
		fast = cat(fast, tone(lo, hi, -10, -10, ms(40)), silence(ms(40)))
	}
	for _, lead := range leads {
		cs = append(cs, clip{group: "pause", name: fmt.Sprintf("40 ms on / 40 ms off +%d", lead), pcm: framed(lead, fast), want: allKeys, x: 40})
	}
	return cs
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
	"This is detective inspector Burns from the metropolitan police. We need you to withdraw cash and a courier will collect it.",
	"Please hold the line. Your call is important to us. Press one for accounts, two for a new card, or stay on the line for an adviser.",
}

// speech synthesises the talk-off corpus with espeak-ng (several voices
// and speeds) and flite (several voices), at 8 kHz: one clip per voice.
// Missing tools are skipped; the returned note says what was used.
func speech(ctx context.Context, dir string) ([]clip, string, error) {
	if _, err := exec.LookPath("sox"); err != nil {
		return nil, "no talk-off speech (sox not installed)", nil
	}
	type synth struct {
		name string
		args func(text, out string) (string, []string)
	}
	var synths []synth
	if _, err := exec.LookPath("espeak-ng"); err == nil {
		for _, v := range []string{"en-gb", "en-us", "en+f3", "en+m3", "en-gb-x-rp+f4", "en-gb-scotland"} {
			for _, speed := range []string{"120", "175"} {
				v, speed := v, speed
				synths = append(synths, synth{"espeak-ng " + v + " " + speed, func(text, out string) (string, []string) {
					return "espeak-ng", []string{"-v", v, "-s", speed, "-w", out, text}
				}})
			}
		}
	}
	if _, err := exec.LookPath("flite"); err == nil {
		for _, v := range []string{"kal", "awb", "rms", "slt"} {
			v := v
			synths = append(synths, synth{"flite " + v, func(text, out string) (string, []string) {
				return "flite", []string{"-voice", v, "-t", text, "-o", out}
			}})
		}
	}
	var cs []clip
	var seconds float64
	for _, s := range synths {
		var all []int16
		for i, text := range texts {
			raw, out := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "out.wav")
			prog, args := s.args(text, raw)
			if b, err := exec.CommandContext(ctx, prog, args...).CombinedOutput(); err != nil {
				return nil, "", fmt.Errorf("speech: %s: %v %s", s.name, err, b)
			}
			if b, err := exec.CommandContext(ctx, "sox", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", out, "gain", "-n", "-3").CombinedOutput(); err != nil {
				return nil, "", fmt.Errorf("speech: sox: %v %s", err, b)
			}
			f, err := os.Open(out)
			if err != nil {
				return nil, "", fmt.Errorf("speech: %w", err)
			}
			pcm, err := media.ReadWAV(f)
			f.Close()
			if err != nil {
				return nil, "", fmt.Errorf("speech: text %d: %w", i, err)
			}
			all = append(all, pcm...)
		}
		seconds += float64(len(all)) / rate
		cs = append(cs, clip{group: "talk-off", name: s.name, pcm: cat(all, silence(ms(100))), want: ""})
	}
	return cs, fmt.Sprintf("%.1f minutes of speech from %d voices (espeak-ng, flite)", seconds/60, len(synths)), nil
}

// ours runs clearline's detector over pcm in 20 ms chunks, as RTP frames
// arrive, and returns the keys it reported.
func ours(pcm []int16) string {
	d := dtmf.NewDetector()
	var out []byte
	emit := func(g dtmf.Digit) { out = append(out, g.Key) }
	for off := 0; off < len(pcm); off += 160 {
		d.Process(pcm[off:min(off+160, len(pcm))], emit)
	}
	d.Flush(emit)
	return string(out)
}
