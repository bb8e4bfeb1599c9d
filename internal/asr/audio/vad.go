package audio

import (
	"fmt"
	"math"
	"time"
)

// VADConfig tunes a VAD. The zero value of each field selects its default.
type VADConfig struct {
	// SampleRate of the audio (default 8000).
	SampleRate int
	// Threshold is how far above the tracked noise floor a 10 ms frame's
	// energy must be to count as speech (default 9 dB).
	Threshold float64
	// MinLevel is the level below which nothing counts as speech, however
	// quiet the line (default -50 dBFS).
	MinLevel float64
	// Attack is how much consecutive speech starts an utterance (default
	// 30 ms): shorter bursts (clicks) do not.
	Attack time.Duration
	// Hangover is how much non-speech ends an utterance (default 500 ms):
	// pauses between words and short breaths stay inside it.
	Hangover time.Duration
	// PreRoll is how much audio before the detected start is included, so
	// a soft first consonant is not cut off (default 300 ms).
	PreRoll time.Duration
	// MaxUtterance cuts an utterance that runs longer (default 15 s), so a
	// caller who never pauses still gets results.
	MaxUtterance time.Duration
}

func (c VADConfig) withDefaults() VADConfig {
	if c.SampleRate == 0 {
		c.SampleRate = 8000
	}
	if c.Threshold == 0 {
		c.Threshold = 9
	}
	if c.MinLevel == 0 {
		c.MinLevel = -50
	}
	if c.Attack == 0 {
		c.Attack = 30 * time.Millisecond
	}
	if c.Hangover == 0 {
		c.Hangover = 500 * time.Millisecond
	}
	if c.PreRoll == 0 {
		c.PreRoll = 300 * time.Millisecond
	}
	if c.MaxUtterance == 0 {
		c.MaxUtterance = 15 * time.Second
	}
	return c
}

// ChunkKind says what a Chunk carries.
type ChunkKind uint8

// Chunk kinds, in the order a VAD emits them for one utterance: one
// ChunkStart, ChunkAudio chunks, one ChunkEnd.
const (
	ChunkStart ChunkKind = iota + 1
	ChunkAudio
	ChunkEnd
)

func (k ChunkKind) String() string {
	switch k {
	case ChunkStart:
		return "start"
	case ChunkAudio:
		return "audio"
	case ChunkEnd:
		return "end"
	}
	return fmt.Sprintf("ChunkKind(%d)", uint8(k))
}

// Chunk is one piece of a VAD's output.
type Chunk struct {
	Kind ChunkKind
	// Offset is the stream position in samples since the first sample
	// pushed: of the utterance's first sample (Start), of PCM[0] (Audio),
	// one past the utterance's last sample (End).
	Offset int64
	// PCM holds the samples of an Audio chunk. It is only valid during the
	// emit call: the VAD reuses the memory.
	PCM []int16
}

// How fast the noise floor rises, in dB per 10 ms frame: 10 dB/s between
// utterances, to follow a line that gets noisier, and 1 dB/s inside one,
// so that a long utterance is not taken for noise.
const (
	floorRiseIdle   = 0.1
	floorRiseSpeech = 0.01
)

// VAD is an energy-based voice-activity detector that segments a stream
// into utterances. It tracks the line's noise floor (falling quickly to a
// quieter level, rising slowly to a louder one), calls a 10 ms frame
// speech when its energy clears both the floor by Threshold and MinLevel,
// starts an utterance after Attack of speech (emitting PreRoll of the audio
// before it) and ends it after Hangover of non-speech, or at MaxUtterance.
// It is not safe for concurrent use.
type VAD struct {
	cfg                      VADConfig
	frame                    int // samples per 10 ms frame
	attack, hangover, maxLen int // in frames
	pending                  []int16
	ring                     []int16 // pre-roll: the last frames before an utterance
	ringCap                  int     // samples
	pos                      int64   // samples consumed into frames
	floor                    float64 // noise floor, dBFS
	inUtt                    bool
	run                      int // consecutive speech frames (silence) or non-speech frames (speech)
	uttFrames                int
}

// NewVAD returns a VAD with cfg's defaults filled in.
func NewVAD(cfg VADConfig) *VAD {
	cfg = cfg.withDefaults()
	frame := cfg.SampleRate / 100
	frames := func(d time.Duration) int { return max(1, int(d/(10*time.Millisecond))) }
	v := &VAD{
		cfg:      cfg,
		frame:    frame,
		attack:   frames(cfg.Attack),
		hangover: frames(cfg.Hangover),
		maxLen:   frames(cfg.MaxUtterance),
		ringCap:  frames(cfg.PreRoll) * frame,
		floor:    math.NaN(),
	}
	v.pending = make([]int16, 0, frame)
	v.ring = make([]int16, 0, v.ringCap+frame)
	return v
}

// InUtterance reports whether an utterance is open.
func (v *VAD) InUtterance() bool { return v.inUtt }

// NoiseFloor returns the tracked noise floor in dBFS.
func (v *VAD) NoiseFloor() float64 { return v.floor }

// Push consumes pcm and calls emit for each chunk it completes. Audio is
// analysed in 10 ms frames; a partial frame waits for the next Push.
func (v *VAD) Push(pcm []int16, emit func(Chunk)) {
	for len(pcm) > 0 {
		n := min(v.frame-len(v.pending), len(pcm))
		v.pending = append(v.pending, pcm[:n]...)
		pcm = pcm[n:]
		if len(v.pending) == v.frame {
			v.frameDone(v.pending, emit)
			v.pending = v.pending[:0]
		}
	}
}

// Flush ends an open utterance (emitting its End), as at the end of a
// call. A partial frame still pending is dropped.
func (v *VAD) Flush(emit func(Chunk)) {
	v.pending = v.pending[:0]
	if v.inUtt {
		v.inUtt = false
		emit(Chunk{Kind: ChunkEnd, Offset: v.pos})
	}
	v.ring = v.ring[:0]
	v.run = 0
}

func (v *VAD) frameDone(f []int16, emit func(Chunk)) {
	start := v.pos
	v.pos += int64(len(f))
	e := levelDBFS(f)
	if math.IsNaN(v.floor) {
		// Start from the first frame, but no higher than MinLevel: a call
		// that opens with speech must not take it for the line's noise.
		v.floor = min(e, v.cfg.MinLevel)
	}
	speech := e > v.floor+v.cfg.Threshold && e > v.cfg.MinLevel
	rise := floorRiseIdle
	if v.inUtt {
		rise = floorRiseSpeech
	}
	if e < v.floor {
		v.floor += 0.2 * (e - v.floor)
	} else {
		v.floor += min(e-v.floor, rise)
	}
	if !v.inUtt {
		v.ring = append(v.ring, f...)
		if over := len(v.ring) - v.ringCap; over > 0 {
			copy(v.ring, v.ring[over:])
			v.ring = v.ring[:v.ringCap]
		}
		if !speech {
			v.run = 0
			return
		}
		v.run++
		if v.run < v.attack {
			return
		}
		v.inUtt, v.run, v.uttFrames = true, 0, len(v.ring)/v.frame
		first := v.pos - int64(len(v.ring))
		emit(Chunk{Kind: ChunkStart, Offset: first})
		emit(Chunk{Kind: ChunkAudio, Offset: first, PCM: v.ring})
		v.ring = v.ring[:0]
		return
	}
	emit(Chunk{Kind: ChunkAudio, Offset: start, PCM: f})
	v.uttFrames++
	if speech {
		v.run = 0
	} else {
		v.run++
	}
	switch {
	case v.run >= v.hangover:
		v.inUtt, v.run = false, 0
		emit(Chunk{Kind: ChunkEnd, Offset: v.pos})
	case v.uttFrames >= v.maxLen:
		// Cut and carry on: the speech continues in a new utterance.
		emit(Chunk{Kind: ChunkEnd, Offset: v.pos})
		emit(Chunk{Kind: ChunkStart, Offset: v.pos})
		v.uttFrames = 0
	}
}

// levelDBFS returns the RMS level of f relative to full scale (a
// full-scale square wave is 0 dBFS), floored at -100.
func levelDBFS(f []int16) float64 {
	var sum float64
	for _, s := range f {
		x := float64(s)
		sum += x * x
	}
	ms := sum / float64(len(f)) / (32768 * 32768)
	if ms < 1e-10 {
		return -100
	}
	return 10 * math.Log10(ms)
}
