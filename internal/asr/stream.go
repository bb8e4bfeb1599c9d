package asr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clearline/clearline/internal/asr/audio"
)

// InputRate is the sample rate of the audio a Stream takes: narrowband
// telephone audio (G.711).
const InputRate = 8000

// UtteranceDecoder is a recognition engine fed one utterance at a time by
// a stream's goroutine; its methods are never called concurrently. Segment
// offsets it returns are relative to the start of the utterance (the
// stream adds the utterance's place in the call), and Text must already be
// lowercase words.
type UtteranceDecoder interface {
	// Begin starts an utterance.
	Begin(ctx context.Context) error
	// Audio decodes more of the utterance at the stream's DecoderRate and
	// returns the segments ready so far (spotted phrases, partial
	// hypotheses), if any.
	Audio(ctx context.Context, pcm []int16) ([]Segment, error)
	// End finishes the utterance and returns its remaining segments. It
	// is called after every successful Begin, even when Audio failed.
	End(ctx context.Context) ([]Segment, error)
	// Close releases the engine; the stream calls it once, last.
	Close() error
}

// StreamConfig tunes NewUtteranceStream. Zero fields take their defaults.
type StreamConfig struct {
	// VAD segments the call into utterances (defaults: see audio.VADConfig).
	VAD audio.VADConfig
	// DecoderRate is the rate the decoder takes: 16000 (default; the
	// stream upsamples) or 8000 (the stream passes the audio through).
	DecoderRate int
	// LinearUpsampling replaces the windowed-sinc upsampler with linear
	// interpolation. It exists to measure what the filter buys.
	LinearUpsampling bool
	// Queue is how much audio may wait for the decoder before Write drops
	// frames (default 10 s).
	Queue time.Duration
	// IdleFlush ends an open utterance when no audio has arrived for this
	// long (default 1 s), e.g. when the caller is put on hold.
	IdleFlush time.Duration
	// ResultBuffer is the capacity of the Results channel (default 256);
	// a segment that finds it full is dropped and counted.
	ResultBuffer int
	// Logger receives decoder errors; nil discards them.
	Logger *slog.Logger
}

func (c StreamConfig) withDefaults() StreamConfig {
	if c.DecoderRate == 0 {
		c.DecoderRate = 16000
	}
	if c.Queue == 0 {
		c.Queue = 10 * time.Second
	}
	if c.IdleFlush == 0 {
		c.IdleFlush = time.Second
	}
	if c.ResultBuffer == 0 {
		c.ResultBuffer = 256
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.VAD.SampleRate = InputRate
	return c
}

// Validate reports a configuration NewUtteranceStream cannot run.
func (c StreamConfig) Validate() error {
	c = c.withDefaults()
	if c.DecoderRate != 8000 && c.DecoderRate != 16000 {
		return fmt.Errorf("asr: decoder rate %d: want 8000 or 16000", c.DecoderRate)
	}
	if c.Queue < 0 || c.IdleFlush < 0 || c.ResultBuffer < 0 {
		return errors.New("asr: negative queue, idle flush or result buffer")
	}
	return nil
}

// frameSamples is the frame size the queue is sized for: 20 ms.
const frameSamples = InputRate / 50

// NewUtteranceStream starts a stream that feeds dec utterance by
// utterance: Write queues audio without blocking, one goroutine runs the
// VAD, upsamples speech to cfg.DecoderRate and calls dec, and segments come
// out of Results with offsets in the call. It panics if cfg is invalid
// (check with Validate).
func NewUtteranceStream(ctx context.Context, dec UtteranceDecoder, cfg StreamConfig) Stream {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	frames := max(1, int(cfg.Queue/(20*time.Millisecond)))
	s := &stream{
		cfg:     cfg,
		dec:     dec,
		in:      make(chan []int16, frames),
		free:    make(chan []int16, frames),
		results: make(chan Segment, cfg.ResultBuffer),
		done:    make(chan struct{}),
		vad:     audio.NewVAD(cfg.VAD),
	}
	if cfg.LinearUpsampling {
		s.up = audio.NewLinearUpsampler()
	} else {
		s.up = audio.NewUpsampler()
	}
	go s.run(ctx)
	return s
}

type stream struct {
	cfg     StreamConfig
	dec     UtteranceDecoder
	in      chan []int16 // queued frames; closed by Close
	free    chan []int16 // recycled frame buffers
	results chan Segment
	done    chan struct{} // closed when run returns

	mu     sync.RWMutex // held for reading by Write, for writing by Close
	closed bool

	written, dropped atomic.Int64 // samples at InputRate

	// Owned by the run goroutine until done is closed.
	vad      *audio.VAD
	up       *audio.Upsampler
	pcm16    []int16
	inUtt    bool  // dec.Begin succeeded and End is due
	uttStart int64 // samples
	uttFail  bool
	err      error
	st       Stats
}

var _ StatsReporter = (*stream)(nil)

func (s *stream) Write(pcm []int16) {
	n := int64(len(pcm))
	if n == 0 {
		return
	}
	s.written.Add(n)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		s.dropped.Add(n)
		return
	}
	var buf []int16
	select {
	case buf = <-s.free:
	default:
	}
	buf = append(buf[:0], pcm...)
	select {
	case s.in <- buf:
	default:
		s.dropped.Add(n)
	}
}

func (s *stream) Results() <-chan Segment { return s.results }

func (s *stream) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.in)
	}
	s.mu.Unlock()
	<-s.done
	return s.err
}

// Stats returns the stream's counters; the decoder's share is complete
// once Close has returned.
func (s *stream) Stats() Stats {
	st := Stats{
		Written: samplesToDuration(s.written.Load(), InputRate),
		Dropped: samplesToDuration(s.dropped.Load(), InputRate),
	}
	select {
	case <-s.done:
		st.Speech, st.Utterances, st.Segments = s.st.Speech, s.st.Utterances, s.st.Segments
		st.LostSegments, st.DecodeTime, st.DecoderErrors = s.st.LostSegments, s.st.DecodeTime, s.st.DecoderErrors
	default:
	}
	return st
}

func (s *stream) run(ctx context.Context) {
	defer close(s.done)
	defer close(s.results)
	defer func() {
		if err := s.dec.Close(); err != nil {
			s.fail(fmt.Errorf("asr: close decoder: %w", err))
		}
	}()
	idle := time.NewTimer(s.cfg.IdleFlush)
	defer idle.Stop()
	emit := func(c audio.Chunk) { s.chunk(ctx, c) }
	for {
		select {
		case <-ctx.Done():
			if s.inUtt { // abandon: tell the engine, keep nothing
				s.inUtt = false
				_, _ = s.dec.End(ctx)
			}
			return
		case <-idle.C:
			s.vad.Flush(emit)
		case buf, ok := <-s.in:
			if !ok {
				s.vad.Flush(emit)
				return
			}
			s.vad.Push(buf, emit)
			select {
			case s.free <- buf:
			default:
			}
			if !idle.Stop() {
				select {
				case <-idle.C:
				default:
				}
			}
			idle.Reset(s.cfg.IdleFlush)
		}
	}
}

// chunk drives the decoder from one VAD chunk.
func (s *stream) chunk(ctx context.Context, c audio.Chunk) {
	switch c.Kind {
	case audio.ChunkStart:
		s.up.Reset()
		s.uttStart, s.uttFail = c.Offset, false
		start := time.Now()
		err := s.dec.Begin(ctx)
		s.st.DecodeTime += time.Since(start)
		if err != nil {
			s.decodeError(ctx, "begin", err)
			return
		}
		s.inUtt = true
		s.st.Utterances++
	case audio.ChunkAudio:
		s.st.Speech += samplesToDuration(int64(len(c.PCM)), InputRate)
		if !s.inUtt || s.uttFail {
			return
		}
		s.decode(ctx, c.PCM)
	case audio.ChunkEnd:
		if !s.inUtt {
			return
		}
		if !s.uttFail && s.cfg.DecoderRate != InputRate {
			s.decode(ctx, make([]int16, s.up.Delay())) // push the filter's tail out
		}
		s.inUtt = false
		start := time.Now()
		segs, err := s.dec.End(ctx)
		s.st.DecodeTime += time.Since(start)
		if err != nil {
			s.decodeError(ctx, "end", err)
		}
		s.deliver(segs)
	}
}

func (s *stream) decode(ctx context.Context, pcm []int16) {
	if s.cfg.DecoderRate != InputRate {
		s.pcm16 = s.up.Upsample(s.pcm16[:0], pcm)
		pcm = s.pcm16
	}
	start := time.Now()
	segs, err := s.dec.Audio(ctx, pcm)
	s.st.DecodeTime += time.Since(start)
	if err != nil {
		s.uttFail = true
		s.decodeError(ctx, "audio", err)
		return
	}
	s.deliver(segs)
}

func (s *stream) deliver(segs []Segment) {
	base := samplesToDuration(s.uttStart, InputRate)
	for _, seg := range segs {
		seg.Start += base
		seg.End += base
		select {
		case s.results <- seg:
			s.st.Segments++
		default:
			s.st.LostSegments++
		}
	}
}

func (s *stream) decodeError(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return // the stream is being abandoned: not a recognition failure
	}
	s.st.DecoderErrors++
	s.cfg.Logger.Warn("asr: decode failed", slog.String("op", op), slog.Any("error", err))
	s.fail(fmt.Errorf("asr: %s: %w", op, err))
}

func (s *stream) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

func samplesToDuration(n int64, rate int) time.Duration {
	return time.Duration(n) * time.Second / time.Duration(rate)
}
