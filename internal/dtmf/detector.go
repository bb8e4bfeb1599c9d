// Package dtmf detects and removes keypad tones (DTMF) in 8 kHz telephone
// audio, and maps RFC 4733 telephone-event codes to keys. It is pure: no
// RTP, SIP or logging.
//
// The detector works on windows of 102 samples (12.75 ms) taken every 51
// samples (a half-window hop). For each half it computes the complex DFT
// at the eight DTMF frequencies (Goertzel recurrences in float32, four
// side by side: one multiply and two adds per sample and frequency; the
// column tones only when the row tones show a window could hold a key,
// which in speech, noise and silence is rare); a window is the sum of two
// halves. A
// window holds a key when, for the strongest row and column frequencies:
//
//   - both are above the level threshold (-30 dBm0 per tone);
//   - each beats the other frequencies of its group by 6 dB;
//   - twist is within 10 dB normal (column weaker) or 5 dB reverse (Q.24:
//     accept 8 and 4 dB);
//   - together they carry at least 70% of the window's energy (speech and
//     noise spread energy wider);
//   - each tone's frequency, measured from the phase advance between the
//     two halves, is within 2.5% of nominal: accepting ±1.5% and rejecting
//     ±3.5% as ITU-T Q.24 asks, which plain Goertzel bins (78 Hz wide at
//     this window) cannot do.
//
// A key is reported after four consecutive windows agree (at least 32 ms
// of tone; 40 ms tones always pass, 20 ms tones never do) and ends after
// two windows without it.
package dtmf

import (
	"math"
)

// Rate is the sample rate the package works at.
const Rate = 8000

const (
	half   = 51
	window = 2 * half
	// onWindows consecutive matching windows make a key.
	onWindows = 4
	// offWindows windows without the key end it.
	offWindows = 2
)

var (
	rowFreqs = [4]float64{697, 770, 852, 941}
	colFreqs = [4]float64{1209, 1336, 1477, 1633}
	keys     = [4][4]byte{{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}}
)

// Tuning, in the units the detector computes: window DFT energy |X|^2 of
// a tone of peak amplitude A is (A*window/2)^2. 0 dBm0 is a peak of about
// 22700 in 16-bit linear audio (G.711's digital milliwatt).
var (
	minEnergy = sq(22700 * math.Pow(10, -30.0/20) * window / 2) // -30 dBm0 per tone
	normTwist = math.Pow(10, 10.0/10)                           // accepts the 8 dB Q.24 asks for with margin
	revTwist  = math.Pow(10, 5.0/10)                            // accepts 4 dB with margin
	relPeak   = math.Pow(10, 6.0/10)
)

const (
	minFraction  = 0.70
	maxDeviation = 0.025
)

func sq(x float64) float64 { return x * x }

// tables holds the Goertzel constants of each frequency and the phase a
// nominal tone advances in one half.
type tables struct {
	adv  [8]complex128 // e^{-j w0 half}
	freq [8]float64
	// Goertzel: 2cos(w) per frequency, cos(w), sin(w).
	coeff      [8]float32
	cosw, sinw [8]float64
}

var tab = func() *tables {
	t := &tables{}
	for k := 0; k < 8; k++ {
		f := rowFreqs[k%4]
		if k >= 4 {
			f = colFreqs[k-4]
		}
		t.freq[k] = f
		w := 2 * math.Pi * f / Rate
		t.adv[k] = complex(math.Cos(-w*half), math.Sin(-w*half))
		t.coeff[k] = float32(2 * math.Cos(w))
		t.cosw[k], t.sinw[k] = math.Cos(w), math.Sin(w)
	}
	return t
}()

// Digit is a detected key.
type Digit struct {
	Key        byte  // '0'-'9', '*', '#', 'A'-'D'
	Start, End int64 // sample indexes (End is when the key was confirmed ended)
}

// Detector is a streaming in-band DTMF detector. It is not safe for
// concurrent use.
type Detector struct {
	buf    [half]int16
	nbuf   int
	pos    int64 // samples consumed
	prev   [8]complex128
	prevE  float64
	primed bool
	// The previous half's samples, and whether its column DFTs
	// (prev[4:]) have been computed: they are computed only when a window
	// containing the half could hold a key (see rowGate).
	prevBuf   [half]int16
	prevColOK bool
	// eager computes every column DFT and classifies every window (tests
	// check it decides exactly as the gated path).
	eager bool

	cand     byte // key seen in the latest windows
	candRun  int
	candFrom int64
	active   byte // key reported as on
	miss     int
	start    int64

	// WindowHit, when set, is called for every window that looks like a
	// key, with the sample index of the window's start (the suppressor
	// uses it).
	WindowHit func(start int64)
}

// NewDetector returns a detector at sample 0.
func NewDetector() *Detector { return &Detector{} }

// Reset forgets all state.
func (d *Detector) Reset() { hit := d.WindowHit; *d = Detector{WindowHit: hit} }

// Active reports the key currently on, if any.
func (d *Detector) Active() (byte, bool) { return d.active, d.active != 0 }

// Process consumes samples and calls emit for each key that ends (a key
// still on at the end of pcm is reported by a later call). It does not
// allocate.
func (d *Detector) Process(pcm []int16, emit func(Digit)) {
	for len(pcm) > 0 {
		if d.nbuf == 0 && len(pcm) >= half {
			d.half((*[half]int16)(pcm[:half]), emit)
			pcm = pcm[half:]
			continue
		}
		n := copy(d.buf[d.nbuf:], pcm)
		d.nbuf += n
		pcm = pcm[n:]
		if d.nbuf == half {
			d.half(&d.buf, emit)
			d.nbuf = 0
		}
	}
}

// half processes one complete half-window.
//
// The DFT at each frequency is a Goertzel recurrence (one multiply and two
// adds per sample and frequency), four frequencies side by side; each
// complex value is recovered from the last two states. (x - s[n-2]) does
// not wait for s[n-1], so the chain from one state to the next is one
// multiply and one add. The value is the DFT rotated by e^{jw(half-1)},
// the same for every half: window sums and phase advances are unchanged
// by it.
//
// The row tones come first, with the samples' energy (exact, in
// integers). A window can hold a key only if its strongest row tone
// carries a set share of the window's energy (rowGate); when it cannot,
// the column tones of the half are left uncomputed until a later window
// needs them, which in silence, noise and most speech is never. The
// decisions are the same as computing everything.
func (d *Detector) half(buf *[half]int16, emit func(Digit)) {
	var cur [8]complex128
	var e int64
	g := &tab.coeff
	var a0, b0, a1, b1, a2, b2, a3, b3 float32 // s[n-1], s[n-2] per frequency
	for n := 0; n < half; n++ {
		v := int64(buf[n])
		e += v * v
		x := float32(v)
		a0, b0 = (x-b0)+g[0]*a0, a0
		a1, b1 = (x-b1)+g[1]*a1, a1
		a2, b2 = (x-b2)+g[2]*a2, a2
		a3, b3 = (x-b3)+g[3]*a3, a3
	}
	for k, st := range [4][2]float32{{a0, b0}, {a1, b1}, {a2, b2}, {a3, b3}} {
		cur[k] = goertzelValue(k, st[0], st[1])
	}
	energy := float64(e)
	winStart := d.pos - half
	d.pos += half
	colOK := false
	if d.primed {
		key := byte(0)
		if d.eager || d.rowGate(&cur, energy) {
			if !d.prevColOK {
				columns(&d.prevBuf, &d.prev)
			}
			columns(buf, &cur)
			colOK = true
			key = d.classify(&cur, energy)
		}
		if key != 0 && d.WindowHit != nil {
			d.WindowHit(winStart)
		}
		d.track(key, winStart, emit)
	}
	d.prev, d.prevE, d.primed, d.prevColOK = cur, energy, true, colOK
	d.prevBuf = *buf
}

// columns computes the column-tone DFTs (out[4:]) of one half.
func columns(buf *[half]int16, out *[8]complex128) {
	g := &tab.coeff
	var a4, b4, a5, b5, a6, b6, a7, b7 float32
	for n := 0; n < half; n++ {
		x := float32(buf[n])
		a4, b4 = (x-b4)+g[4]*a4, a4
		a5, b5 = (x-b5)+g[5]*a5, a5
		a6, b6 = (x-b6)+g[6]*a6, a6
		a7, b7 = (x-b7)+g[7]*a7, a7
	}
	for i, st := range [4][2]float32{{a4, b4}, {a5, b5}, {a6, b6}, {a7, b7}} {
		out[4+i] = goertzelValue(4+i, st[0], st[1])
	}
}

// goertzelValue turns the last two Goertzel states of frequency k into
// its (rotated) DFT value.
func goertzelValue(k int, s1, s2 float32) complex128 {
	return complex(float64(s1)-tab.cosw[k]*float64(s2), tab.sinw[k]*float64(s2))
}

// rowGate reports whether the window made of d.prev and cur could hold a
// key, from the row tones alone. classify needs the strongest row energy
// er >= minEnergy, and (er+ec) >= minFraction*total with ec <= er*revTwist,
// so er >= minFraction*total/(1+revTwist); the gate asks for 1% less, so
// rounding can never make it refuse a window classify would accept.
func (d *Detector) rowGate(cur *[8]complex128, energy float64) bool {
	var er float64
	for k := 0; k < 4; k++ {
		x := d.prev[k] + cur[k]*tab.adv[k]
		er = max(er, real(x)*real(x)+imag(x)*imag(x))
	}
	total := (d.prevE + energy) * window / 2
	return er >= minEnergy && er >= 0.99*minFraction*total/(1+revTwist)
}

// classify decides whether the window made of d.prev and cur holds a key.
func (d *Detector) classify(cur *[8]complex128, energy float64) byte {
	var e [8]float64
	var x [8]complex128
	for k := 0; k < 8; k++ {
		r := cur[k] * tab.adv[k]
		x[k] = d.prev[k] + r
		e[k] = real(x[k])*real(x[k]) + imag(x[k])*imag(x[k])
	}
	row, col := 0, 4
	for k := 1; k < 4; k++ {
		if e[k] > e[row] {
			row = k
		}
		if e[4+k] > e[col] {
			col = 4 + k
		}
	}
	er, ec := e[row], e[col]
	if er < minEnergy || ec < minEnergy {
		return 0
	}
	if ec*normTwist < er || er*revTwist < ec {
		return 0
	}
	for k := 0; k < 4; k++ {
		if k != row && e[k]*relPeak > er {
			return 0
		}
		if 4+k != col && e[4+k]*relPeak > ec {
			return 0
		}
	}
	total := (d.prevE + energy) * window / 2 // |X|^2 of all the window's energy at one frequency
	if (er+ec)/total < minFraction {
		return 0
	}
	for _, k := range [2]int{row, col} {
		r := cur[k] * tab.adv[k]
		p := r * complex(real(d.prev[k]), -imag(d.prev[k]))
		dev := math.Atan2(imag(p), real(p)) * Rate / (2 * math.Pi * half) / tab.freq[k]
		if dev > maxDeviation || dev < -maxDeviation {
			return 0
		}
	}
	return keys[row][col-4]
}

// track turns per-window keys into digits with minimum on and off times.
func (d *Detector) track(key byte, at int64, emit func(Digit)) {
	if key != 0 && key == d.cand {
		d.candRun++
	} else {
		d.cand, d.candRun, d.candFrom = key, 1, at
	}
	switch {
	case d.active == 0:
		if key != 0 && d.candRun >= onWindows {
			d.active, d.start, d.miss = key, d.candFrom, 0
		}
	case key == d.active:
		d.miss = 0
	default:
		d.miss++
		if d.miss >= offWindows {
			if emit != nil {
				emit(Digit{Key: d.active, Start: d.start, End: at})
			}
			d.active, d.miss = 0, 0
			if key != 0 && d.candRun >= onWindows {
				d.active, d.start = key, d.candFrom
			}
		}
	}
}

// Flush ends a key still on (end of audio).
func (d *Detector) Flush(emit func(Digit)) {
	if d.active != 0 && emit != nil {
		emit(Digit{Key: d.active, Start: d.start, End: d.pos})
	}
	d.active = 0
}

// Detect returns the keys in pcm, in order.
func Detect(pcm []int16) string {
	d := NewDetector()
	var out []byte
	emit := func(g Digit) { out = append(out, g.Key) }
	d.Process(pcm, emit)
	d.Process(make([]int16, window*offWindows+half), emit)
	d.Flush(emit)
	return string(out)
}

// KeyFreqs returns a key's row and column frequencies.
func KeyFreqs(key byte) (low, high float64, ok bool) {
	for r := 0; r < 4; r++ {
		for c := 0; c < 4; c++ {
			if keys[r][c] == key {
				return rowFreqs[r], colFreqs[c], true
			}
		}
	}
	return 0, 0, false
}

// EventKey maps an RFC 4733 event code to its key.
func EventKey(code uint8) (byte, bool) {
	const events = "0123456789*#ABCD"
	if int(code) < len(events) {
		return events[code], true
	}
	return 0, false
}

// Generate returns a key's tone: level in dBm0 per tone, devPct shifts
// both frequencies by that percentage, twistDB lowers the column tone by
// that many dB (negative: lowers the row tone).
func Generate(key byte, levelDBm0 float64, samples int, devPct, twistDB float64) []int16 {
	lo, hi, _ := KeyFreqs(key)
	lo, hi = lo*(1+devPct/100), hi*(1+devPct/100)
	a := 22700 * math.Pow(10, levelDBm0/20)
	al, ah := a, a
	if twistDB > 0 {
		ah *= math.Pow(10, -twistDB/20)
	} else {
		al *= math.Pow(10, twistDB/20)
	}
	out := make([]int16, samples)
	for n := range out {
		t := float64(n) / Rate
		v := al*math.Sin(2*math.Pi*lo*t) + ah*math.Sin(2*math.Pi*hi*t)
		out[n] = int16(max(-32768, min(32767, v)))
	}
	return out
}
