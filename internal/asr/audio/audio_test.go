package audio

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// sine returns n samples of a sine at freq Hz and rate, amplitude amp.
func sine(freq float64, rate, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

// toneLevel returns the amplitude of the component at freq in x (Goertzel,
// normalised so a sine of amplitude A gives A).
func toneLevel(x []int16, rate int, freq float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * math.Sqrt(math.Max(p, 0)) / float64(len(x))
}

func db(x float64) float64 { return 20 * math.Log10(x) }

// A tone in the telephone band comes out of the upsampler at its level
// and its image (8 kHz - f) is suppressed; linear interpolation leaves a
// strong image, which is why it is not the default.
func TestUpsamplerResponse(t *testing.T) {
	tests := []struct {
		name     string
		up       func() *Upsampler
		freq     float64
		passDB   float64 // |gain| must be within this of 0 dB
		minRejDB float64 // image at least this far below the tone
		maxRejDB float64 // and at most this far (0: no bound)
	}{
		{"sinc 300 Hz", NewUpsampler, 300, 0.1, 70, 0},
		{"sinc 1 kHz", NewUpsampler, 1000, 0.1, 70, 0},
		{"sinc 3.4 kHz", NewUpsampler, 3400, 0.5, 50, 0},
		{"linear 1 kHz", NewLinearUpsampler, 1000, 0.5, 10, 30},
		{"linear 3 kHz", NewLinearUpsampler, 3000, 6, 0, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sine(tt.freq, 8000, 8000, 10000)
			u := tt.up()
			out := u.Upsample(nil, in)
			if len(out) != 2*len(in) {
				t.Fatalf("len(out) = %d, want %d", len(out), 2*len(in))
			}
			out = out[1000:] // skip the filter's start-up
			gain := db(toneLevel(out, 16000, tt.freq) / 10000)
			if math.Abs(gain) > tt.passDB {
				t.Errorf("gain at %v Hz = %.2f dB, want within %.1f dB of 0", tt.freq, gain, tt.passDB)
			}
			rej := -db(toneLevel(out, 16000, 8000-tt.freq) / 10000)
			if rej < tt.minRejDB || (tt.maxRejDB > 0 && rej > tt.maxRejDB) {
				t.Errorf("image at %v Hz is %.1f dB down, want %.0f..%.0f", 8000-tt.freq, rej, tt.minRejDB, tt.maxRejDB)
			}
		})
	}
}

// Feeding the upsampler in frames of any size gives the same output as
// feeding it all at once, and its latency is Delay input samples.
func TestUpsamplerStreamingAndDelay(t *testing.T) {
	in := sine(440, 8000, 4000, 8000)
	whole := NewUpsampler().Upsample(nil, in)
	for _, size := range []int{1, 7, 80, 160, 333} {
		u := NewUpsampler()
		var got []int16
		for i := 0; i < len(in); i += size {
			got = u.Upsample(got, in[i:min(i+size, len(in))])
		}
		if !slices.Equal(got, whole) {
			t.Errorf("frames of %d samples: output differs from one-shot", size)
		}
	}
	for _, tt := range []struct {
		name string
		u    *Upsampler
	}{{"sinc", NewUpsampler()}, {"linear", NewLinearUpsampler()}} {
		imp := make([]int16, 100)
		imp[10] = 10000
		out := tt.u.Upsample(nil, imp)
		peak := 0
		for i, v := range out {
			if v > out[peak] {
				peak = i
			}
		}
		if want := 2 * (10 + tt.u.Delay()); peak != want {
			t.Errorf("%s: impulse at input 10 peaks at output %d, want %d (Delay %d)", tt.name, peak, want, tt.u.Delay())
		}
	}
}

func TestUpsamplerClipsInsteadOfWrapping(t *testing.T) {
	// A full-scale square wave overshoots through a sinc filter.
	in := make([]int16, 400)
	for i := range in {
		in[i] = math.MaxInt16
		if i/20%2 == 1 {
			in[i] = math.MinInt16
		}
	}
	out := NewUpsampler().Upsample(nil, in)
	for i := 100; i < len(out)-100; i++ {
		if (in[(i/2-NewUpsampler().Delay())] > 0) != (out[i] > 0) && math.Abs(float64(out[i])) > 20000 {
			t.Fatalf("sample %d = %d: wrapped around", i, out[i])
		}
	}
}

// vadSignal builds a test signal from parts of silence (amp 0), noise or
// tone at 8 kHz.
type part struct {
	dur  time.Duration
	amp  float64 // tone amplitude; 0 for silence
	freq float64
}

func build(parts ...part) []int16 {
	var out []int16
	seed := uint32(1)
	for _, p := range parts {
		n := int(p.dur.Seconds() * 8000)
		for i := range n {
			var v float64
			switch {
			case p.freq > 0:
				v = p.amp * math.Sin(2*math.Pi*p.freq*float64(i)/8000)
			case p.amp > 0: // white noise
				seed = seed*1664525 + 1013904223
				v = p.amp * (float64(seed)/float64(math.MaxUint32)*2 - 1)
			}
			out = append(out, int16(v))
		}
	}
	return out
}

type utterance struct{ start, end int64 }

// segment runs pcm through a VAD in 20 ms frames and returns the
// utterances it emitted, checking that the chunks are well formed.
func segment(t *testing.T, cfg VADConfig, pcm []int16) []utterance {
	t.Helper()
	v := NewVAD(cfg)
	var out []utterance
	var open bool
	var next int64
	emit := func(c Chunk) {
		switch c.Kind {
		case ChunkStart:
			if open {
				t.Fatalf("start at %d inside an utterance", c.Offset)
			}
			open, next = true, c.Offset
			out = append(out, utterance{start: c.Offset})
		case ChunkAudio:
			if !open {
				t.Fatalf("audio at %d outside an utterance", c.Offset)
			}
			if c.Offset != next {
				t.Fatalf("audio at %d, want contiguous at %d", c.Offset, next)
			}
			if !slices.Equal(c.PCM, pcm[c.Offset:c.Offset+int64(len(c.PCM))]) {
				t.Fatalf("audio at %d is not the input", c.Offset)
			}
			next += int64(len(c.PCM))
		case ChunkEnd:
			if !open || c.Offset != next {
				t.Fatalf("end at %d (open %v, audio up to %d)", c.Offset, open, next)
			}
			open = false
			out[len(out)-1].end = c.Offset
		}
	}
	for i := 0; i < len(pcm); i += 160 {
		v.Push(pcm[i:min(i+160, len(pcm))], emit)
	}
	v.Flush(emit)
	return out
}

func ms(d int) int64 { return int64(d) * 8 }

func TestVADSegments(t *testing.T) {
	speech := func(d time.Duration) part { return part{d, 6000, 440} } // about -18 dBFS
	quiet := func(d time.Duration) part { return part{d, 0, 0} }
	noise := func(d time.Duration) part { return part{d, 300, 0} } // about -45 dBFS
	tests := []struct {
		name  string
		cfg   VADConfig
		parts []part
		want  []utterance // offsets in samples; ends include the hangover
	}{
		{"silence", VADConfig{}, []part{quiet(3 * time.Second)}, nil},
		{"steady line noise is not speech", VADConfig{}, []part{noise(5 * time.Second)}, nil},
		{"one utterance with pre-roll and hangover", VADConfig{},
			[]part{quiet(time.Second), speech(time.Second), quiet(time.Second)},
			// starts 300 ms before the 30 ms attack completes, ends 500 ms after the speech
			[]utterance{{ms(1030 - 300), ms(2000 + 500)}}},
		{"speech over line noise", VADConfig{},
			[]part{noise(2 * time.Second), speech(time.Second), noise(time.Second)},
			[]utterance{{ms(2030 - 300), ms(3000 + 500)}}},
		{"short pause stays inside", VADConfig{},
			[]part{quiet(time.Second), speech(time.Second), quiet(300 * time.Millisecond), speech(time.Second), quiet(time.Second)},
			[]utterance{{ms(730), ms(3300 + 500)}}},
		{"long pause splits", VADConfig{},
			[]part{quiet(time.Second), speech(time.Second), quiet(time.Second), speech(time.Second), quiet(time.Second)},
			[]utterance{{ms(730), ms(2500)}, {ms(3030 - 300), ms(4500)}}},
		{"click shorter than the attack", VADConfig{},
			[]part{quiet(time.Second), speech(20 * time.Millisecond), quiet(time.Second)}, nil},
		{"speech at the start has no pre-roll before sample 0", VADConfig{},
			[]part{speech(time.Second), quiet(time.Second)},
			[]utterance{{0, ms(1500)}}},
		{"cut at the maximum length", VADConfig{MaxUtterance: 2 * time.Second},
			[]part{quiet(time.Second), speech(5 * time.Second), quiet(time.Second)},
			[]utterance{{ms(730), ms(730 + 2000)}, {ms(2730), ms(4730)}, {ms(4730), ms(6500)}}},
		{"flush ends an open utterance", VADConfig{},
			[]part{quiet(time.Second), speech(time.Second)},
			[]utterance{{ms(730), ms(2000)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := segment(t, tt.cfg, build(tt.parts...))
			if !slices.Equal(got, tt.want) {
				t.Errorf("utterances (samples) = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWAVRoundTrip(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		pcm := sine(440, rate, 1234, 20000)
		var b bytes.Buffer
		if err := WriteWAV(&b, pcm, rate); err != nil {
			t.Fatal(err)
		}
		got, r, err := ReadWAV(&b)
		if err != nil {
			t.Fatal(err)
		}
		if r != rate || !slices.Equal(got, pcm) {
			t.Errorf("rate %d: round trip gave rate %d, %d samples (equal %v)", rate, r, len(got), slices.Equal(got, pcm))
		}
	}
}

func TestReadWAVRejects(t *testing.T) {
	var stereo bytes.Buffer
	_ = WriteWAV(&stereo, make([]int16, 10), 8000)
	b := stereo.Bytes()
	b[22] = 2 // channels
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"not riff", []byte("RIFX\x00\x00\x00\x00WAVEfmt ")},
		{"stereo", b},
		{"truncated", []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := ReadWAV(bytes.NewReader(tt.in)); err == nil {
				t.Fatal("no error")
			}
		})
	}
	if _, _, err := ReadWAV(bytes.NewReader(b)); !errors.Is(err, ErrWAVFormat) {
		t.Errorf("stereo: error %v does not wrap ErrWAVFormat", err)
	}
}

func FuzzReadWAV(f *testing.F) {
	var b bytes.Buffer
	_ = WriteWAV(&b, sine(440, 8000, 64, 1000), 8000)
	f.Add(b.Bytes())
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		pcm, rate, err := ReadWAV(bytes.NewReader(in))
		if err != nil {
			return
		}
		if rate <= 0 || len(pcm) > MaxWAVBytes/2 {
			t.Fatalf("rate %d, %d samples", rate, len(pcm))
		}
	})
}

func BenchmarkUpsampler20ms(b *testing.B) {
	u := NewUpsampler()
	in := sine(440, 8000, 160, 8000)
	out := make([]int16, 0, 320)
	b.ReportAllocs()
	for b.Loop() {
		out = u.Upsample(out[:0], in)
	}
}

func BenchmarkVAD20ms(b *testing.B) {
	v := NewVAD(VADConfig{})
	in := sine(440, 8000, 160, 8000)
	b.ReportAllocs()
	for b.Loop() {
		v.Push(in, func(Chunk) {})
	}
}
