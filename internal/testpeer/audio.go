package testpeer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// PhoneRate is the sample rate of narrowband telephone audio (G.711), which
// every helper here produces unless told otherwise.
const PhoneRate = 8000

// Speak synthesises text into out as an 8 kHz mono 16-bit WAV. engine is
// "flite" (the default when empty; pocketsphinx recognises it), "flite:VOICE"
// (kal, kal16, awb, rms, slt), "espeak-ng" or "espeak-ng:VOICE" (e.g. en-gb;
// pocketsphinx does not recognise espeak-ng). It needs the engine and sox.
func Speak(ctx context.Context, text, out, engine string) error {
	name, voice, _ := strings.Cut(engine, ":")
	tmp, err := os.MkdirTemp("", "testpeer-speak-")
	if err != nil {
		return fmt.Errorf("testpeer: speak: %w", err)
	}
	defer os.RemoveAll(tmp)
	raw := filepath.Join(tmp, "speech.wav")
	var cmd *exec.Cmd
	switch name {
	case "", "flite":
		args := []string{"-t", text, "-o", raw}
		if voice != "" {
			args = append(args, "-voice", voice)
		}
		cmd = exec.CommandContext(ctx, "flite", args...)
	case "espeak-ng", "espeak":
		args := []string{"-w", raw}
		if voice != "" {
			args = append(args, "-v", voice)
		}
		cmd = exec.CommandContext(ctx, "espeak-ng", append(args, "--", text)...)
	default:
		return fmt.Errorf("testpeer: speak: unknown engine %q (flite, espeak-ng)", engine)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testpeer: speak with %s: %w: %s", cmd.Path, err, b)
	}
	return ConvertWAV(ctx, raw, out)
}

// ConvertWAV converts any audio file sox can read into an 8 kHz mono signed
// 16-bit WAV at out.
func ConvertWAV(ctx context.Context, in, out string) error {
	cmd := exec.CommandContext(ctx, "sox", in, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testpeer: sox %s -> %s: %w: %s", in, out, err, b)
	}
	return nil
}

// Tone returns dur of the sum of the given frequencies (Hz) at PhoneRate,
// peaking at about -6 dBFS, e.g. Tone([]float64{1000}, time.Second).
func Tone(freqs []float64, dur time.Duration) []int16 {
	n := int(dur.Seconds() * PhoneRate)
	out := make([]int16, n)
	if len(freqs) == 0 {
		return out
	}
	amp := 16000.0 / float64(len(freqs))
	for i := range out {
		var v float64
		for _, f := range freqs {
			v += amp * math.Sin(2*math.Pi*f*float64(i)/PhoneRate)
		}
		out[i] = int16(v)
	}
	return out
}

// Silence returns dur of silence at PhoneRate.
func Silence(dur time.Duration) []int16 { return make([]int16, int(dur.Seconds()*PhoneRate)) }

// dtmfFreqs holds the (low, high) frequencies of each DTMF key.
var dtmfFreqs = map[byte][2]float64{
	'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
	'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
	'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
	'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
}

// DTMFTones returns in-band DTMF for digits (0-9, *, #, A-D) at PhoneRate: each
// digit sounds for on, followed by off of silence.
func DTMFTones(digits string, on, off time.Duration) []int16 {
	var out []int16
	for i := 0; i < len(digits); i++ {
		f, ok := dtmfFreqs[upper(digits[i])]
		if !ok {
			continue
		}
		out = append(out, Tone(f[:], on)...)
		out = append(out, Silence(off)...)
	}
	return out
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'd' {
		return c - 'a' + 'A'
	}
	return c
}

// Concat joins sample slices.
func Concat(parts ...[]int16) []int16 {
	var out []int16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// RMS returns the root mean square of pcm (0 for none), in sample units.
func RMS(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(pcm)))
}

// DBFS returns the RMS level of pcm in dB relative to a full-scale sine's RMS
// (so a full-scale sine is about 0 dBFS, silence -inf).
func DBFS(pcm []int16) float64 {
	return 20 * math.Log10(RMS(pcm)/(32767/math.Sqrt2))
}

// goertzelPower returns |X(freq)|² of block by the Goertzel algorithm.
func goertzelPower(block []int16, rate int, freq float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for _, x := range block {
		s0 := float64(x) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}

// ToneEnergy returns the fraction (0..1) of pcm's energy at freq Hz, measured
// with the Goertzel algorithm over 50 ms blocks (20 Hz resolution): about 1 for
// a pure tone at freq, about 0.5 for each of two equal tones, near 0 when the
// tone is absent. Silence gives 0.
func ToneEnergy(pcm []int16, rate int, freq float64) float64 {
	n := rate / 20
	var tone, total float64
	for off := 0; off+n <= len(pcm); off += n {
		block := pcm[off : off+n]
		var e float64
		for _, x := range block {
			e += float64(x) * float64(x)
		}
		total += e
		// For a sine of amplitude A over n samples: |X|² ≈ (A·n/2)² and
		// energy ≈ A²·n/2, so 2|X|²/n normalises to the tone's energy.
		tone += 2 * goertzelPower(block, rate, freq) / float64(n)
	}
	if total == 0 {
		return 0
	}
	return math.Min(1, tone/total)
}

// DetectDTMF returns the in-band DTMF digits heard in pcm, a simple Goertzel
// detector for asserting what a peer heard (clearline's own detector lives in
// internal/dtmf): 20 ms blocks, a digit needs both of its tones to carry most
// of the block's energy in two consecutive blocks, and a gap before it repeats.
func DetectDTMF(pcm []int16, rate int) string {
	n := rate / 50
	low := []float64{697, 770, 852, 941}
	high := []float64{1209, 1336, 1477, 1633}
	keys := [4][4]byte{{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}}
	var (
		out        []byte
		prev, last byte
	)
	for off := 0; off+n <= len(pcm); off += n {
		block := pcm[off : off+n]
		var e float64
		for _, x := range block {
			e += float64(x) * float64(x)
		}
		var cur byte
		if e/float64(n) > 100*100 { // ignore blocks quieter than about -50 dBFS
			li, lp := strongest(block, rate, low)
			hi, hp := strongest(block, rate, high)
			norm := 2 / float64(n) / e
			if lp*norm > 0.2 && hp*norm > 0.2 && (lp+hp)*norm > 0.6 {
				cur = keys[li][hi]
			}
		}
		if cur != 0 && cur == prev && cur != last {
			out = append(out, cur)
		}
		if cur == 0 && prev == 0 {
			last = 0
		} else if cur != 0 && cur == prev {
			last = cur
		}
		prev = cur
	}
	return string(out)
}

// strongest returns the index and Goertzel power of the strongest frequency.
func strongest(block []int16, rate int, freqs []float64) (int, float64) {
	best, bp := 0, -1.0
	for i, f := range freqs {
		if p := goertzelPower(block, rate, f); p > bp {
			best, bp = i, p
		}
	}
	return best, bp
}

// ReadWAV reads a PCM WAV file with 16-bit samples and returns the samples of
// its first channel and its sample rate.
func ReadWAV(path string) ([]int16, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("testpeer: read wav: %w", err)
	}
	pcm, rate, _, err := parseWAV(b)
	if err != nil {
		return nil, 0, fmt.Errorf("testpeer: read wav %s: %w", path, err)
	}
	return pcm, rate, nil
}

// parseWAV parses a RIFF WAVE file with 16-bit PCM samples and returns the
// first channel, the sample rate and the channel count.
func parseWAV(b []byte) ([]int16, int, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, 0, errors.New("not a RIFF WAVE file")
	}
	var (
		rate, channels, bits int
		format               uint16
		data                 []byte
		haveFmt              bool
	)
	for off := 12; off+8 <= len(b); {
		id := string(b[off : off+4])
		size := int(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		body := b[off+8:]
		if size > len(body) || size < 0 { // streaming writers leave 0 or too much
			size = len(body)
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, 0, 0, errors.New("short fmt chunk")
			}
			format = binary.LittleEndian.Uint16(body[0:2])
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
			if format == 0xfffe && size >= 26 { // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
				format = binary.LittleEndian.Uint16(body[24:26])
			}
			haveFmt = true
		case "data":
			data = body
		}
		off += 8 + size + size%2
	}
	if !haveFmt || data == nil {
		return nil, 0, 0, errors.New("missing fmt or data chunk")
	}
	if format != 1 || bits != 16 || channels < 1 {
		return nil, 0, 0, fmt.Errorf("unsupported format %d, %d bits, %d channels (want 16-bit PCM)", format, bits, channels)
	}
	frames := len(data) / (2 * channels)
	pcm := make([]int16, frames)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(data[i*2*channels:]))
	}
	return pcm, rate, channels, nil
}

// WriteWAV writes mono 16-bit samples as a PCM WAV file.
func WriteWAV(path string, pcm []int16, rate int) error {
	var buf bytes.Buffer
	dataLen := uint32(len(pcm) * 2)
	buf.WriteString("RIFF")
	_ = binary.Write(&buf, binary.LittleEndian, 36+dataLen)
	buf.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		_ = binary.Write(&buf, binary.LittleEndian, v)
	}
	buf.WriteString("data")
	_ = binary.Write(&buf, binary.LittleEndian, dataLen)
	_ = binary.Write(&buf, binary.LittleEndian, pcm)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("testpeer: write wav: %w", err)
	}
	return nil
}

// readPhoneWAV reads path as 8 kHz mono 16-bit, converting it with sox (into
// tmpDir) when it is in another format.
func readPhoneWAV(ctx context.Context, path, tmpDir string) ([]int16, error) {
	if b, err := os.ReadFile(path); err == nil {
		if pcm, rate, channels, err := parseWAV(b); err == nil && rate == PhoneRate && channels == 1 {
			return pcm, nil
		}
	}
	conv := filepath.Join(tmpDir, "converted-"+filepath.Base(path)+".wav")
	if err := ConvertWAV(ctx, path, conv); err != nil {
		return nil, err
	}
	pcm, _, err := ReadWAV(conv)
	return pcm, err
}

// wavToPCMUFile writes the audio of the WAV at in as raw µ-law bytes (what
// SIPp's rtp_stream sends with payload type 0).
func wavToPCMUFile(ctx context.Context, in, out, tmpDir string) error {
	pcm, err := readPhoneWAV(ctx, in, tmpDir)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, EncodePCMU(pcm), 0o644); err != nil {
		return fmt.Errorf("testpeer: write pcmu: %w", err)
	}
	return nil
}

// envelope returns the RMS of each 20 ms block of pcm.
func envelope(pcm []int16, rate int) []float64 {
	n := rate / 50
	out := make([]float64, 0, len(pcm)/n)
	for off := 0; off+n <= len(pcm); off += n {
		out = append(out, RMS(pcm[off:off+n]))
	}
	return out
}

// Contains reports how well needle (e.g. the speech a peer sent) appears
// somewhere in haystack (e.g. what another peer recorded): the best Pearson
// correlation (-1..1) of their 20 ms loudness envelopes over every offset.
// Envelopes survive G.711, jitter buffers and small gains, so a value above
// about 0.8 means the speech came through; unrelated audio scores near 0.
// It returns 0 when haystack is shorter than needle or either is silent.
func Contains(haystack, needle []int16, rate int) float64 {
	c, _ := ContainsAt(haystack, needle, rate)
	return c
}

// ContainsAt is Contains that also says where in haystack the best match
// starts (to 20 ms).
func ContainsAt(haystack, needle []int16, rate int) (float64, time.Duration) {
	h, n := envelope(haystack, rate), envelope(needle, rate)
	if len(n) == 0 || len(h) < len(n) {
		return 0, 0
	}
	var nMean float64
	for _, v := range n {
		nMean += v
	}
	nMean /= float64(len(n))
	var nVar float64
	for _, v := range n {
		nVar += (v - nMean) * (v - nMean)
	}
	if nVar == 0 {
		return 0, 0
	}
	best, bestOff := 0.0, 0
	for off := 0; off+len(n) <= len(h); off++ {
		w := h[off : off+len(n)]
		var wMean float64
		for _, v := range w {
			wMean += v
		}
		wMean /= float64(len(w))
		var cov, wVar float64
		for i, v := range w {
			cov += (v - wMean) * (n[i] - nMean)
			wVar += (v - wMean) * (v - wMean)
		}
		if wVar == 0 {
			continue
		}
		if c := cov / math.Sqrt(wVar*nVar); c > best {
			best, bestOff = c, off
		}
	}
	return best, time.Duration(bestOff) * 20 * time.Millisecond
}
