package testpeer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SpeakSentences synthesises a caller's script with Speak (engine as
// there), one sentence at a time, and writes it to out as one 8 kHz mono
// 16-bit WAV: gap of silence before the first sentence, between sentences
// and after the last, so that a recogniser hears each sentence as its own
// utterance and SIPp's Audio starts and ends quietly. It returns the
// length of the audio written. It needs the engine and sox.
func SpeakSentences(ctx context.Context, out, engine string, gap time.Duration, sentences ...string) (time.Duration, error) {
	tmp, err := os.MkdirTemp("", "testpeer-sentences-")
	if err != nil {
		return 0, fmt.Errorf("testpeer: speak sentences: %w", err)
	}
	defer os.RemoveAll(tmp)
	pcm := Silence(gap)
	for i, s := range sentences {
		p := filepath.Join(tmp, fmt.Sprintf("sentence-%d.wav", i))
		if err := Speak(ctx, s, p, engine); err != nil {
			return 0, err
		}
		spoken, _, err := ReadWAV(p)
		if err != nil {
			return 0, err
		}
		pcm = Concat(pcm, spoken, Silence(gap))
	}
	if err := WriteWAV(out, pcm, PhoneRate); err != nil {
		return 0, err
	}
	return time.Duration(len(pcm)) * time.Second / PhoneRate, nil
}
