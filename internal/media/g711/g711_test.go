package g711

import (
	"math"
	"testing"

	zg "github.com/zaf/g711"
)

// Every possible input is checked against github.com/zaf/g711, an
// independent implementation of the same ITU-T algorithms and tables.
func TestMatchesReferenceImplementation(t *testing.T) {
	for s := math.MinInt16; s <= math.MaxInt16; s++ {
		if got, want := EncodeULawSample(int16(s)), zg.EncodeUlawFrame(int16(s)); got != want {
			t.Fatalf("EncodeULawSample(%d) = %#x, want %#x", s, got, want)
		}
		if got, want := EncodeALawSample(int16(s)), zg.EncodeAlawFrame(int16(s)); got != want {
			t.Fatalf("EncodeALawSample(%d) = %#x, want %#x", s, got, want)
		}
	}
	for b := 0; b < 256; b++ {
		if got, want := DecodeULawSample(byte(b)), zg.DecodeUlawFrame(uint8(b)); got != want {
			t.Fatalf("DecodeULawSample(%#x) = %d, want %d", b, got, want)
		}
		if got, want := DecodeALawSample(byte(b)), zg.DecodeAlawFrame(uint8(b)); got != want {
			t.Fatalf("DecodeALawSample(%#x) = %d, want %d", b, got, want)
		}
		var d [1]byte
		ULawToALaw(d[:], []byte{byte(b)})
		if want := zg.Ulaw2AlawFrame(uint8(b)); d[0] != want {
			t.Fatalf("ULawToALaw(%#x) = %#x, want %#x (ITU-T G.711 table)", b, d[0], want)
		}
		ALawToULaw(d[:], []byte{byte(b)})
		if want := zg.Alaw2UlawFrame(uint8(b)); d[0] != want {
			t.Fatalf("ALawToULaw(%#x) = %#x, want %#x (ITU-T G.711 table)", b, d[0], want)
		}
	}
}

func TestSilenceAndKnownCodes(t *testing.T) {
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"ulaw of 0", int(EncodeULawSample(0)), int(ULawSilence)},
		{"alaw of 0", int(EncodeALawSample(0)), int(ALawSilence)},
		{"ulaw silence decodes to 0", int(DecodeULawSample(ULawSilence)), 0},
		{"alaw silence decodes near 0", int(DecodeALawSample(ALawSilence)), 8},
		{"ulaw 0x00 is the negative peak", int(DecodeULawSample(0x00)), -32124},
		{"ulaw 0x80 is the positive peak", int(DecodeULawSample(0x80)), 32124},
		{"alaw 0xAA is the positive peak", int(DecodeALawSample(0xAA)), 32256},
		{"alaw 0x2A is the negative peak", int(DecodeALawSample(0x2A)), -32256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %d (%#x), want %d (%#x)", tt.got, tt.got, tt.want, tt.want)
			}
		})
	}
}

// Encoding then decoding stays within half a quantisation step of the
// input; the step doubles with each segment (about 3% of the magnitude).
func TestQuantisationError(t *testing.T) {
	laws := []struct {
		name string
		enc  func(int16) byte
		dec  func(byte) int16
	}{
		{"ulaw", EncodeULawSample, DecodeULawSample},
		{"alaw", EncodeALawSample, DecodeALawSample},
	}
	for _, law := range laws {
		t.Run(law.name, func(t *testing.T) {
			for s := -32000; s <= 32000; s++ {
				got := int(law.dec(law.enc(int16(s))))
				tol := 16 + abs(s)/16
				if d := abs(got - s); d > tol {
					t.Fatalf("%d -> %d: error %d > %d", s, got, d, tol)
				}
			}
		})
	}
}

func TestSliceFunctionsUseShorterLength(t *testing.T) {
	pcm := []int16{0, 1000, -1000, 20000}
	enc := make([]byte, 3)
	if n := EncodeULaw(enc, pcm); n != 3 {
		t.Fatalf("EncodeULaw wrote %d, want 3", n)
	}
	dec := make([]int16, 8)
	if n := DecodeULaw(dec, enc); n != 3 {
		t.Fatalf("DecodeULaw wrote %d, want 3", n)
	}
	for i := range 3 {
		if dec[i] != DecodeULawSample(EncodeULawSample(pcm[i])) {
			t.Errorf("sample %d: %d", i, dec[i])
		}
	}
	a := make([]byte, 3)
	if n := EncodeALaw(a, pcm); n != 3 {
		t.Fatalf("EncodeALaw wrote %d", n)
	}
	if n := DecodeALaw(dec[:2], a); n != 2 {
		t.Fatalf("DecodeALaw wrote %d, want 2", n)
	}
	inPlace := append([]byte(nil), enc...)
	ULawToALaw(inPlace, inPlace)
	for i := range inPlace {
		if inPlace[i] != ulawToALaw[enc[i]] {
			t.Errorf("in-place transcode differs at %d", i)
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// frame is one 20 ms frame of a 1 kHz tone.
func frame() []int16 {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(12000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	return pcm
}

func BenchmarkEncodeULaw(b *testing.B) {
	pcm, out := frame(), make([]byte, 160)
	b.SetBytes(160)
	for b.Loop() {
		EncodeULaw(out, pcm)
	}
}

func BenchmarkEncodeALaw(b *testing.B) {
	pcm, out := frame(), make([]byte, 160)
	b.SetBytes(160)
	for b.Loop() {
		EncodeALaw(out, pcm)
	}
}

func BenchmarkDecodeULaw(b *testing.B) {
	enc, out := make([]byte, 160), make([]int16, 160)
	EncodeULaw(enc, frame())
	b.SetBytes(160)
	for b.Loop() {
		DecodeULaw(out, enc)
	}
}

func BenchmarkULawToALaw(b *testing.B) {
	enc, out := make([]byte, 160), make([]byte, 160)
	EncodeULaw(enc, frame())
	b.SetBytes(160)
	for b.Loop() {
		ULawToALaw(out, enc)
	}
}

// The zaf/g711 per-sample encoder, for comparison with the table lookup.
func BenchmarkZafEncodeULawFrame(b *testing.B) {
	pcm, out := frame(), make([]byte, 160)
	b.SetBytes(160)
	for b.Loop() {
		for i, s := range pcm {
			out[i] = zg.EncodeUlawFrame(s)
		}
	}
}

func BenchmarkZafEncodeALawFrame(b *testing.B) {
	pcm, out := frame(), make([]byte, 160)
	b.SetBytes(160)
	for b.Loop() {
		for i, s := range pcm {
			out[i] = zg.EncodeAlawFrame(s)
		}
	}
}
