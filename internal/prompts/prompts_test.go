package prompts

import "testing"

func TestPromptsAreSpeech(t *testing.T) {
	for _, name := range []string{AskName, CallFrom, PressKeys, CallerRefused, ScamWarning, PINReminder, NewCall} {
		t.Run(name, func(t *testing.T) {
			pcm, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(pcm) < 4000 { // half a second at 8 kHz
				t.Fatalf("prompt is %d samples long", len(pcm))
			}
			var loud int
			for _, s := range pcm {
				if s > 1000 || s < -1000 {
					loud++
				}
			}
			if loud < len(pcm)/10 {
				t.Fatalf("prompt is mostly silent: %d of %d samples above -30 dBFS", loud, len(pcm))
			}
		})
	}
	if _, err := Load("no-such-prompt"); err == nil {
		t.Fatal("unknown prompt loaded")
	}
}
