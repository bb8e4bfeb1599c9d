package audio

import "math"

// Upsampler doubles the sample rate of a stream (8 kHz -> 16 kHz) with a
// polyphase windowed-sinc (Kaiser) interpolation filter: each output sample
// is a 48-tap dot product over the input, the passband is flat to about
// 3.4 kHz (all of the telephone band) and images above the input's Nyquist
// frequency are attenuated by about 80 dB. Output lags input by
// [Upsampler.Delay] input samples. An Upsampler keeps the filter history
// between calls, so a stream can be fed in frames of any size; it is not
// safe for concurrent use.
type Upsampler struct {
	phases [2][]float32 // phase 0: output at input instants; phase 1: halfway
	hist   []float32    // the last taps-1 input samples, then the new ones
	taps   int
	linear bool
}

// Upsampler parameters.
const (
	upTaps   = 48   // taps per phase (96 at the output rate)
	upCutoff = 0.95 // cutoff as a fraction of the input's Nyquist frequency (3.8 kHz)
	upBeta   = 8.0  // Kaiser window shape: about 80 dB stopband
)

// NewUpsampler returns a 2x windowed-sinc upsampler.
func NewUpsampler() *Upsampler {
	u := &Upsampler{taps: upTaps}
	half := upTaps / 2
	for p := range 2 {
		phase := float64(p) / 2
		h := make([]float32, upTaps)
		var sum float64
		coef := make([]float64, upTaps)
		for k := range upTaps {
			// Input sample j+k-half+1 contributes to output j+phase at a
			// distance t input samples.
			t := phase - float64(k-half+1)
			c := upCutoff * sinc(upCutoff*t) * kaiser(t, float64(half)+0.5, upBeta)
			coef[k] = c
			sum += c
		}
		for k := range coef {
			h[k] = float32(coef[k] / sum) // unity gain at DC in each phase
		}
		u.phases[p] = h
	}
	u.Reset()
	return u
}

// NewLinearUpsampler returns a 2x upsampler that interpolates linearly
// between neighbouring samples. It exists to measure what the
// windowed-sinc filter buys (linear interpolation leaves strong images of
// the speech band between 4 and 8 kHz); use NewUpsampler.
func NewLinearUpsampler() *Upsampler {
	u := &Upsampler{taps: 2, linear: true}
	u.phases[0] = []float32{1, 0}
	u.phases[1] = []float32{0.5, 0.5}
	u.Reset()
	return u
}

// Delay returns the filter's latency in input samples.
func (u *Upsampler) Delay() int { return u.taps / 2 }

// Reset clears the filter history, as at the start of a stream.
func (u *Upsampler) Reset() {
	u.hist = u.hist[:0]
	for range u.taps - 1 {
		u.hist = append(u.hist, 0)
	}
}

// Upsample appends to dst twice as many samples as src holds and returns
// the extended slice.
func (u *Upsampler) Upsample(dst []int16, src []int16) []int16 {
	for _, s := range src {
		u.hist = append(u.hist, float32(s))
	}
	n := len(u.hist) - (u.taps - 1)
	p0, p1 := u.phases[0], u.phases[1]
	for j := range n {
		win := u.hist[j : j+u.taps]
		var a, b float32
		for k, x := range win {
			a += p0[k] * x
			b += p1[k] * x
		}
		dst = append(dst, clamp16(a), clamp16(b))
	}
	// Keep the last taps-1 samples as history.
	copy(u.hist, u.hist[n:])
	u.hist = u.hist[:u.taps-1]
	return dst
}

func clamp16(v float32) int16 {
	v = float32(math.Round(float64(v)))
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window of half-width half at distance t from its
// centre (zero outside).
func kaiser(t, half, beta float64) float64 {
	r := t / half
	if r <= -1 || r >= 1 {
		return 0
	}
	return bessel0(beta*math.Sqrt(1-r*r)) / bessel0(beta)
}

// bessel0 is the zeroth-order modified Bessel function of the first kind.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}
