package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrWAVFormat is wrapped by ReadWAV for input that is not a mono 16-bit
// PCM WAV file.
var ErrWAVFormat = errors.New("not a mono 16-bit pcm wav")

// MaxWAVBytes bounds the data ReadWAV accepts: ten minutes at 16 kHz.
const MaxWAVBytes = 10 * 60 * 16000 * 2

// ReadWAV reads a mono 16-bit PCM WAV file and returns its samples and
// sample rate. Other chunks (LIST, fact) are skipped.
func ReadWAV(r io.Reader) (pcm []int16, rate int, err error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, 0, fmt.Errorf("read wav: %w", err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("read wav: %w: no RIFF/WAVE header", ErrWAVFormat)
	}
	gotFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, 0, fmt.Errorf("read wav: no data chunk: %w", err)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if size < 16 || size > 64 {
				return nil, 0, fmt.Errorf("read wav: %w: fmt chunk of %d bytes", ErrWAVFormat, size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, 0, fmt.Errorf("read wav: fmt: %w", err)
			}
			tag := binary.LittleEndian.Uint16(b[0:2])
			channels := binary.LittleEndian.Uint16(b[2:4])
			sr := binary.LittleEndian.Uint32(b[4:8])
			bits := binary.LittleEndian.Uint16(b[14:16])
			if tag == 0xFFFE && size >= 26 { // WAVE_FORMAT_EXTENSIBLE: the sub-format's tag
				tag = binary.LittleEndian.Uint16(b[24:26])
			}
			if tag != 1 || channels != 1 || bits != 16 || sr == 0 || sr > 192000 {
				return nil, 0, fmt.Errorf("read wav: %w: format %d, %d channels, %d bits, %d Hz", ErrWAVFormat, tag, channels, bits, sr)
			}
			rate, gotFmt = int(sr), true
		case "data":
			if !gotFmt {
				return nil, 0, fmt.Errorf("read wav: %w: data before fmt", ErrWAVFormat)
			}
			if size > MaxWAVBytes {
				size = MaxWAVBytes
			}
			b, err := io.ReadAll(io.LimitReader(r, int64(size)))
			if err != nil {
				return nil, 0, fmt.Errorf("read wav: data: %w", err)
			}
			pcm = make([]int16, len(b)/2)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
			}
			return pcm, rate, nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size)+int64(size%2)); err != nil {
				return nil, 0, fmt.Errorf("read wav: skip %q chunk: %w", id, err)
			}
		}
	}
}

// WriteWAV writes pcm as a mono 16-bit PCM WAV file at rate.
func WriteWAV(w io.Writer, pcm []int16, rate int) error {
	if rate <= 0 {
		return fmt.Errorf("write wav: rate %d", rate)
	}
	if len(pcm) > (math.MaxUint32-36)/2 {
		return fmt.Errorf("write wav: %d samples is too long", len(pcm))
	}
	data := uint32(2 * len(pcm))
	b := make([]byte, 44+data)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], 36+data)
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate)*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], data)
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	return nil
}
