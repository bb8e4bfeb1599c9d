package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/clearline/clearline/internal/media/g711"
)

// wavFile builds a WAV stream with the given format and data, with an extra
// chunk before fmt to check chunk skipping.
func wavFile(tag, channels uint16, rate uint32, bits uint16, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+3+1+8+16+8+len(data)))
	b.WriteString("WAVE")
	b.WriteString("LIST")
	binary.Write(&b, binary.LittleEndian, uint32(3))
	b.Write([]byte{1, 2, 3, 0}) // odd chunk, padded
	b.WriteString("fmt ")
	binary.Write(&b, binary.LittleEndian, uint32(16))
	blockAlign := channels * bits / 8
	for _, v := range []any{tag, channels, rate, rate * uint32(blockAlign), blockAlign, bits} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func le16(s ...int16) []byte {
	b := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

func TestReadWAV(t *testing.T) {
	ulaw := []byte{g711.EncodeULawSample(1000), g711.EncodeULawSample(-1000)}
	alaw := []byte{g711.EncodeALawSample(1000)}
	tests := []struct {
		name string
		wav  []byte
		want []int16
		err  error
	}{
		{"8k pcm", wavFile(1, 1, 8000, 16, le16(1, -2, 32767, -32768)), []int16{1, -2, 32767, -32768}, nil},
		{"16k pcm decimated", wavFile(1, 1, 16000, 16, le16(400, 400, 400, 400, 800, 800)), []int16{400, 400, 700}, nil},
		{"ulaw", wavFile(7, 1, 8000, 8, ulaw), []int16{g711.DecodeULawSample(ulaw[0]), g711.DecodeULawSample(ulaw[1])}, nil},
		{"alaw", wavFile(6, 1, 8000, 8, alaw), []int16{g711.DecodeALawSample(alaw[0])}, nil},
		{"stereo", wavFile(1, 2, 8000, 16, le16(1, 2)), nil, ErrWAVFormat},
		{"44.1k", wavFile(1, 1, 44100, 16, le16(1, 2)), nil, ErrWAVFormat},
		{"8-bit pcm", wavFile(1, 1, 8000, 8, []byte{1, 2}), nil, ErrWAVFormat},
		{"float", wavFile(3, 1, 8000, 32, make([]byte, 8)), nil, ErrWAVFormat},
		{"not riff", []byte("ID3\x03 mp3 data here"), nil, ErrWAVFormat},
		{"no data", wavFile(1, 1, 8000, 16, nil)[:4+4+4+12+8+16], nil, ErrWAVFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadWAV(bytes.NewReader(tt.wav))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadWAVTruncatedData(t *testing.T) {
	w := wavFile(1, 1, 8000, 16, le16(1, 2, 3, 4))
	got, err := ReadWAV(bytes.NewReader(w[:len(w)-3])) // cut inside sample 3
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []int16{1, 2}) {
		t.Errorf("got %v", got)
	}
}

func TestWAVRoundTripFile(t *testing.T) {
	pcm := make([]int16, 1234)
	for i := range pcm {
		pcm[i] = int16(i*53 - 30000)
	}
	path := filepath.Join(t.TempDir(), "prompt.wav")
	var b bytes.Buffer
	if err := WriteWAV(&b, pcm); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, pcm) {
		t.Error("samples differ after write and load")
	}
	if _, err := LoadWAV(filepath.Join(t.TempDir(), "missing.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzReadWAV(f *testing.F) {
	f.Add(wavFile(1, 1, 8000, 16, le16(1, 2, 3)))
	f.Add(wavFile(1, 1, 16000, 16, le16(1, 2, 3)))
	f.Add(wavFile(7, 1, 8000, 8, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(pcm) > len(b) {
			t.Fatalf("%d samples from %d bytes", len(pcm), len(b))
		}
	})
}
