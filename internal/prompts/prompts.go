// Package prompts holds clearline's spoken prompts: real speech synthesised
// with espeak-ng (scripts/make-prompts.sh) and embedded as 8 kHz mono 16-bit
// WAV, plus the challenge tone. It only provides audio; who plays what, and
// when, is decided elsewhere.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"math"

	"github.com/clearline/clearline/internal/media"
)

//go:embed wav/*.wav
var files embed.FS

// Names of the prompts.
const (
	AskName       = "ask-name"       // "Please say your name after the tone, and you will be connected."
	CallFrom      = "call-from"      // "Call from"
	PressKeys     = "press-keys"     // "Press 1 to accept, 2 to refuse, 3 ... 9 to block this caller."
	CallerRefused = "caller-refused" // "The person you are calling cannot take your call. Goodbye."
	ScamWarning   = "scam-warning"   // "This call may be a scam. The police and your bank will never ask..."
	PINReminder   = "pin-reminder"   // "Never type your PIN for a caller."
	NewCall       = "new-call"       // "This is a new call. Your previous call has ended."
)

// Warning names the recorded in-call warning for a detector warning key
// (detect.Assessment.WarningPrompt), e.g. "cash" -> "warning-cash".
func Warning(key string) string { return "warning-" + key }

// Load returns a prompt's samples (8 kHz).
func Load(name string) ([]int16, error) {
	b, err := files.ReadFile("wav/" + name + ".wav")
	if err != nil {
		return nil, fmt.Errorf("prompt %q: %w", name, err)
	}
	pcm, err := media.ReadWAV(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("prompt %q: %w", name, err)
	}
	return pcm, nil
}

// Beep is the 400 ms, 1 kHz tone after which a caller speaks.
func Beep() []int16 {
	pcm := make([]int16, media.SampleRate*4/10)
	for i := range pcm {
		pcm[i] = int16(6000 * math.Sin(2*math.Pi*1000*float64(i)/media.SampleRate))
	}
	return pcm
}
