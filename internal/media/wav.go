package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/clearline/clearline/internal/media/g711"
)

// ErrWAVFormat is wrapped by ReadWAV for files it cannot turn into 8 kHz
// mono samples.
var ErrWAVFormat = errors.New("unsupported wav format")

// WAV format tags (RFC 2361).
const (
	wavPCM        = 1
	wavALaw       = 6
	wavULaw       = 7
	wavExtensible = 0xFFFE
)

// maxWAVBytes bounds what ReadWAV reads: ten minutes of 16 kHz audio.
const maxWAVBytes = 10 * 60 * 16000 * 2

// LoadWAV reads a WAV file with ReadWAV.
func LoadWAV(path string) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load wav: %w", err)
	}
	defer f.Close()
	pcm, err := ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("load wav %s: %w", path, err)
	}
	return pcm, nil
}

// ReadWAV reads a mono WAV stream and returns its samples at 8 kHz. It
// accepts 16-bit PCM at 8000 Hz, 16-bit PCM at 16000 Hz (low-passed and
// decimated to 8000 Hz), and 8 kHz G.711 µ-law or A-law; anything else is an
// error wrapping ErrWAVFormat. A data chunk cut short (a recording that was
// interrupted) is read up to the end of the stream.
func ReadWAV(r io.Reader) ([]int16, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxWAVBytes+1024))
	if err != nil {
		return nil, fmt.Errorf("read wav: %w", err)
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("read wav: not a RIFF/WAVE file: %w", ErrWAVFormat)
	}
	var (
		haveFmt             bool
		tag, channels, bits uint16
		rate                uint32
	)
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		if size < 0 || size > len(body) {
			size = len(body) // truncated or streamed (size 0xFFFFFFFF)
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, fmt.Errorf("read wav: fmt chunk of %d bytes: %w", size, ErrWAVFormat)
			}
			tag = binary.LittleEndian.Uint16(body[0:])
			channels = binary.LittleEndian.Uint16(body[2:])
			rate = binary.LittleEndian.Uint32(body[4:])
			bits = binary.LittleEndian.Uint16(body[14:])
			if tag == wavExtensible && size >= 26 {
				tag = binary.LittleEndian.Uint16(body[24:]) // sub-format GUID starts with the tag
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("read wav: data before fmt chunk: %w", ErrWAVFormat)
			}
			return wavSamples(body, tag, channels, bits, rate)
		}
		p += 8 + size + size&1 // chunks are padded to an even size
	}
	return nil, fmt.Errorf("read wav: no data chunk: %w", ErrWAVFormat)
}

func wavSamples(data []byte, tag, channels, bits uint16, rate uint32) ([]int16, error) {
	desc := fmt.Sprintf("format %d, %d Hz, %d channel(s), %d-bit", tag, rate, channels, bits)
	if channels != 1 {
		return nil, fmt.Errorf("read wav: %s: want mono: %w", desc, ErrWAVFormat)
	}
	switch {
	case tag == wavPCM && bits == 16 && (rate == 8000 || rate == 16000):
		pcm := make([]int16, len(data)/2)
		for i := range pcm {
			pcm[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		if rate == 16000 {
			pcm = decimate2(pcm)
		}
		return pcm, nil
	case tag == wavULaw && bits == 8 && rate == 8000:
		pcm := make([]int16, len(data))
		g711.DecodeULaw(pcm, data)
		return pcm, nil
	case tag == wavALaw && bits == 8 && rate == 8000:
		pcm := make([]int16, len(data))
		g711.DecodeALaw(pcm, data)
		return pcm, nil
	}
	return nil, fmt.Errorf("read wav: %s: want 16-bit PCM at 8000 or 16000 Hz, or 8 kHz G.711: %w", desc, ErrWAVFormat)
}

// decimate2 halves the sample rate: a [1 2 1]/4 low-pass (a zero at the new
// Nyquist frequency) and every other sample kept. Simple, not hi-fi:
// prompts are speech for a telephone.
func decimate2(in []int16) []int16 {
	out := make([]int16, len(in)/2)
	for i := range out {
		c := 2 * i
		prev := int32(in[c])
		if c > 0 {
			prev = int32(in[c-1])
		}
		out[i] = int16((prev + 2*int32(in[c]) + int32(in[c+1])) / 4)
	}
	return out
}

// WriteWAV writes pcm as an 8 kHz mono 16-bit PCM WAV stream.
func WriteWAV(w io.Writer, pcm []int16) error {
	data := 2 * len(pcm)
	b := make([]byte, 44+data)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], wavPCM)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], SampleRate)
	binary.LittleEndian.PutUint32(b[28:], SampleRate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	return nil
}
