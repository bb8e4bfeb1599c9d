package asr

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeDecoder records what a stream feeds it. Each utterance yields one
// segment "utterance N" spanning the audio it received; gate, when set,
// blocks Audio until it is closed.
type fakeDecoder struct {
	mu      sync.Mutex
	calls   []string
	samples int
	n       int
	gate    chan struct{}
	failEnd int // End of this utterance (1-based) fails
	closed  bool
}

func (f *fakeDecoder) Begin(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "begin")
	f.samples = 0
	f.n++
	return nil
}

func (f *fakeDecoder) Audio(ctx context.Context, pcm []int16) ([]Segment, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.samples += len(pcm)
	return nil, nil
}

func (f *fakeDecoder) End(context.Context) ([]Segment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "end")
	if f.n == f.failEnd {
		return nil, errors.New("decoder exploded")
	}
	d := time.Duration(f.samples) * time.Second / 16000
	return []Segment{{Text: "utterance " + string(rune('0'+f.n)), End: d, Final: true}}, nil
}

func (f *fakeDecoder) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// tone returns d of a 440 Hz tone at 8 kHz loud enough for the VAD, or
// silence when amp is 0.
func tone(d time.Duration, amp float64) []int16 {
	out := make([]int16, int(d.Seconds()*InputRate))
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*440*float64(i)/InputRate))
	}
	return out
}

func collect(st Stream) <-chan []Segment {
	ch := make(chan []Segment, 1)
	go func() {
		var segs []Segment
		for s := range st.Results() {
			segs = append(segs, s)
		}
		ch <- segs
	}()
	return ch
}

func TestStreamSegmentsAndOffsets(t *testing.T) {
	dec := &fakeDecoder{failEnd: 2}
	st := NewUtteranceStream(t.Context(), dec, StreamConfig{})
	got := collect(st)
	audio := slices.Concat(tone(time.Second, 0), tone(time.Second, 8000), tone(time.Second, 0),
		tone(500*time.Millisecond, 8000), tone(time.Second, 0), tone(time.Second, 8000))
	writeFrames(st, audio)
	err := st.Close()
	if err == nil || !strings.Contains(err.Error(), "decoder exploded") {
		t.Errorf("Close() = %v, want the decoder's error", err)
	}
	segs := <-got
	// Utterance 2's End failed: its segment is lost, the stream carries on.
	var texts []string
	for _, s := range segs {
		texts = append(texts, s.Text)
	}
	if want := []string{"utterance 1", "utterance 3"}; !slices.Equal(texts, want) {
		t.Fatalf("segments %q, want %q", texts, want)
	}
	// Utterance 1: speech 1..2 s, pre-roll 300 ms before the 30 ms attack,
	// 500 ms hangover, upsampler tail: 0.73 s .. 2.5 s.
	if s := segs[0]; s.Start != 730*time.Millisecond || s.End < 2500*time.Millisecond || s.End > 2510*time.Millisecond {
		t.Errorf("utterance 1 spans %v..%v, want 730ms..2.5s", s.Start, s.End)
	}
	// Utterance 3 starts at 4.5 s + attack - pre-roll and is flushed by Close.
	if s := segs[1]; s.Start != 4230*time.Millisecond {
		t.Errorf("utterance 3 starts at %v, want 4.23s", s.Start)
	}
	dec.mu.Lock()
	defer dec.mu.Unlock()
	if want := []string{"begin", "end", "begin", "end", "begin", "end"}; !slices.Equal(dec.calls, want) || !dec.closed {
		t.Errorf("decoder calls %v (closed %v), want %v and closed", dec.calls, dec.closed, want)
	}
	stats := st.(StatsReporter).Stats()
	if stats.Written != 5500*time.Millisecond || stats.Dropped != 0 || stats.Utterances != 3 || stats.Segments != 2 || stats.DecoderErrors != 1 {
		t.Errorf("stats %+v", stats)
	}
}

// A decoder that falls behind must never block Write: the queue fills,
// frames are dropped and counted, and the queued ones are decoded.
func TestStreamWriteNeverBlocks(t *testing.T) {
	dec := &fakeDecoder{gate: make(chan struct{})}
	st := NewUtteranceStream(t.Context(), dec, StreamConfig{Queue: 200 * time.Millisecond})
	got := collect(st)
	audio := slices.Concat(tone(time.Second, 0), tone(2*time.Second, 8000))
	done := make(chan struct{})
	go func() {
		writeFrames(st, audio) // returns although the decoder is stuck
		close(done)
	}()
	<-done
	stats := st.(StatsReporter).Stats()
	if stats.Dropped == 0 || stats.Written != 3*time.Second {
		t.Errorf("stats %+v: want frames dropped while the decoder was stuck", stats)
	}
	close(dec.gate)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	<-got
	st.Write(tone(20*time.Millisecond, 8000)) // after Close: dropped, no panic
	if d := st.(StatsReporter).Stats().Dropped; d <= stats.Dropped {
		t.Errorf("write after close not counted as dropped (%v)", d)
	}
}

// Cancelling the context ends the stream at once, abandoning queued audio.
func TestStreamContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	dec := &fakeDecoder{gate: make(chan struct{})}
	st := NewUtteranceStream(ctx, dec, StreamConfig{})
	writeFrames(st, slices.Concat(tone(time.Second, 0), tone(time.Second, 8000)))
	cancel()
	for range st.Results() {
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close after cancel = %v", err)
	}
	dec.mu.Lock()
	defer dec.mu.Unlock()
	if !dec.closed {
		t.Error("decoder not closed")
	}
}

// An utterance left open when the audio stops (hold, RTP loss) is ended
// after IdleFlush, without waiting for Close.
func TestStreamIdleFlush(t *testing.T) {
	dec := &fakeDecoder{}
	st := NewUtteranceStream(t.Context(), dec, StreamConfig{IdleFlush: 10 * time.Millisecond})
	defer st.Close()
	writeFrames(st, slices.Concat(tone(time.Second, 0), tone(time.Second, 8000)))
	if s := <-st.Results(); s.Text != "utterance 1" {
		t.Errorf("segment %q", s.Text)
	}
}

// A consumer that never reads Results loses segments, counted, and Close
// still returns.
func TestStreamUnreadResults(t *testing.T) {
	dec := &fakeDecoder{}
	st := NewUtteranceStream(t.Context(), dec, StreamConfig{ResultBuffer: 1})
	var audio []int16
	for range 3 {
		audio = slices.Concat(audio, tone(time.Second, 0), tone(500*time.Millisecond, 8000))
	}
	writeFrames(st, audio)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if s := st.(StatsReporter).Stats(); s.Segments != 1 || s.LostSegments != 2 {
		t.Errorf("stats %+v, want 1 delivered and 2 lost", s)
	}
}

func TestStreamConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  StreamConfig
		ok   bool
	}{
		{"defaults", StreamConfig{}, true},
		{"8 kHz decoder", StreamConfig{DecoderRate: 8000}, true},
		{"44.1 kHz decoder", StreamConfig{DecoderRate: 44100}, false},
		{"negative queue", StreamConfig{Queue: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{" Hello, this is DETECTIVE Burns. ", "hello this is detective burns"},
		{"Don’t tell the bank!", "don't tell the bank"},
		{"'quoted' words", "quoted words"},
		{"£5,000 in cash", "5 000 in cash"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeText(tt.in); got != tt.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
