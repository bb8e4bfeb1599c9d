package guard

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/prompts"
)

// frames turns a loudness plan into 20 ms frames: true = speech-level
// tone, false = near silence.
func frames(plan []bool) <-chan []int16 {
	ch := make(chan []int16, len(plan))
	for i, loud := range plan {
		f := make([]int16, 160)
		amp := 20.0
		if loud {
			amp = 8000
		}
		for j := range f {
			f[j] = int16(amp * math.Sin(2*math.Pi*300*float64(i*160+j)/8000))
		}
		ch <- f
	}
	return ch
}

func plan(parts ...any) []bool {
	var out []bool
	for i := 0; i < len(parts); i += 2 {
		n := int(parts[i+1].(time.Duration) / frameDur)
		for j := 0; j < n; j++ {
			out = append(out, parts[i].(bool))
		}
	}
	return out
}

func TestRecordName(t *testing.T) {
	const limit = 4 * time.Second
	tests := []struct {
		name    string
		plan    []bool
		wantErr error
		minLen  time.Duration
		maxLen  time.Duration
	}{
		{"name then pause", plan(false, 500*time.Millisecond, true, 1500*time.Millisecond, false, time.Second), nil, 1400 * time.Millisecond, 2 * time.Second},
		{"long name is cut at the limit", plan(true, 6*time.Second, false, time.Second), nil, limit, limit},
		{"machine never pauses", plan(true, 9*time.Second), errMachine, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, err := recordName(context.Background(), frames(tt.plan), limit)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			got := time.Duration(len(name)) * time.Second / 8000
			if err == nil && (got < tt.minLen || got > tt.maxLen) {
				t.Fatalf("name is %v long, want %v..%v", got, tt.minLen, tt.maxLen)
			}
		})
	}
	t.Run("silence", func(t *testing.T) {
		ch := make(chan []int16) // the caller sends nothing at all
		ctx, cancel := context.WithTimeout(context.Background(), 2*waitForSpeech)
		defer cancel()
		if _, err := recordName(ctx, ch, limit); !errors.Is(err, errSilent) {
			t.Fatalf("err = %v, want errSilent", err)
		}
	})
	t.Run("hang-up", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := recordName(ctx, make(chan []int16), limit); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestPromptsLoad(t *testing.T) {
	p, err := loadPrompts()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ask) < len(p.pressKeys)/4 || len(p.refused) == 0 || len(p.callFrom) == 0 {
		t.Fatalf("prompts look empty: %d %d %d", len(p.ask), len(p.refused), len(p.callFrom))
	}
}

// Every warning the detector can ask for has a recording.
func TestWarningPromptsExist(t *testing.T) {
	for _, w := range detect.Warnings() {
		pcm, err := prompts.Load(prompts.Warning(w.Prompt))
		if err != nil {
			t.Errorf("warning %q (%q): %v (run scripts/make-prompts.sh)", w.Prompt, w.Text, err)
			continue
		}
		if len(pcm) < 8000*3 {
			t.Errorf("warning %q is only %d samples", w.Prompt, len(pcm))
		}
	}
}

func TestDistrict(t *testing.T) {
	for in, want := range map[string]string{"AL1 3XY": "AL1", "sw1a 1aa": "SW1A", "M1 1AE": "M1", "EC1A1BB": "EC1A", "": "", "nonsense postcode here": ""} {
		if got := District(in); got != want {
			t.Errorf("District(%q) = %q, want %q", in, got, want)
		}
	}
}
