package asr

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clearline/clearline/internal/asr/sphinx"
)

// Embedded recogniser modes.
const (
	// ModeKeywords spots the phrases of EmbeddedConfig.Keyphrases
	// (pocketsphinx keyword search against a phone-loop garbage model):
	// real-time factor about 0.03, the default.
	ModeKeywords = "kws"
	// ModeTranscribe transcribes everything with the en-us n-gram
	// language model: about 7 times the CPU and 15 times the memory of
	// ModeKeywords, and on telephone audio it finds fewer scam phrases
	// (69% of the tactics against 89%; README.md).
	ModeTranscribe = "lm"
)

// EmbeddedConfig configures the pocketsphinx recogniser. Zero fields take
// their defaults.
type EmbeddedConfig struct {
	Mode     string // ModeKeywords (default) or ModeTranscribe
	ModelDir string // acoustic model; sphinx.DefaultModelDir when empty
	Dict     string // dictionary; sphinx.DefaultDict when empty
	LM       string // language model for ModeTranscribe; sphinx.DefaultLM when empty

	// Keyphrases to spot in ModeKeywords; DefaultKeyphrases() when nil.
	Keyphrases []sphinx.Keyphrase
	// ExtraDict adds pronunciations the keyphrases use (CMUdict format);
	// DefaultExtraDict() when nil.
	ExtraDict []string
	// CMNInit is the channel estimate each call starts from;
	// TelephoneCMN() when nil. Pass an empty, non-nil slice for the
	// model's own (wideband) estimate.
	CMNInit []float64
	// PhoneLoopProb is the keyword search's phone-loop (garbage model)
	// probability; DefaultPhoneLoopProb when 0. The default thresholds are
	// tuned for the default.
	PhoneLoopProb float64

	// Pool is how many idle decoders are kept for the next calls (default
	// 2): a decoder takes tens of milliseconds to load.
	Pool int
	// MaxStreams bounds concurrent streams; NewStream returns ErrBusy
	// beyond it. 0 means no bound.
	MaxStreams int

	// Stream tunes the front end (VAD, queue, upsampling).
	Stream StreamConfig
	// Args are extra pocketsphinx arguments (name, value pairs).
	Args []string
	// Logger receives stream errors; nil discards them.
	Logger *slog.Logger
}

// DefaultPhoneLoopProb is the phone-loop probability the default
// thresholds were tuned with. With thresholds tuned for each, pocketsphinx's
// own default, 0.1, found 80% of the tactics in held-out telephone speech
// and 1e-3 finds 89%, at about one false alarm in 40 harmless utterances
// (README.md).
const DefaultPhoneLoopProb = 1e-3

// ErrBusy is returned by NewStream when MaxStreams streams are open.
var ErrBusy = errors.New("asr: too many concurrent streams")

// EmbeddedRecognizer is the pocketsphinx recogniser. It is safe for
// concurrent use; Close releases its idle decoders.
type EmbeddedRecognizer struct {
	cfg    EmbeddedConfig
	model  *sphinx.Model
	pool   chan *sphinx.Decoder
	strict map[string]float64 // phrase as listed -> log10 of its tuned threshold
	open   atomic.Int64
	closed atomic.Bool
	raw    bool // measurements: report every detection, variants not merged
}

var _ Recognizer = (*EmbeddedRecognizer)(nil)

// Embedded prepares the pocketsphinx recogniser and loads one decoder to
// check the model. Without pocketsphinx in the build, or without its model
// files, the error wraps ErrUnavailable.
func Embedded(cfg EmbeddedConfig) (*EmbeddedRecognizer, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeKeywords
	}
	if cfg.Pool == 0 {
		cfg.Pool = 2
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Stream.Logger == nil {
		cfg.Stream.Logger = cfg.Logger
	}
	if err := cfg.Stream.Validate(); err != nil {
		return nil, err
	}
	if cfg.Pool < 0 || cfg.MaxStreams < 0 {
		return nil, fmt.Errorf("asr: embedded: pool %d or max streams %d out of range", cfg.Pool, cfg.MaxStreams)
	}
	if cfg.PhoneLoopProb == 0 {
		cfg.PhoneLoopProb = DefaultPhoneLoopProb
	}
	if cfg.CMNInit == nil {
		cfg.CMNInit = TelephoneCMN()
	}
	if cfg.ExtraDict == nil {
		cfg.ExtraDict = DefaultExtraDict()
	}
	opts := sphinx.Options{
		ModelDir: cfg.ModelDir, Dict: cfg.Dict, LM: cfg.LM, CMNInit: cfg.CMNInit, ExtraDict: cfg.ExtraDict,
		// clearline's VAD has already cut the silence; pocketsphinx's own
		// would also drop frames, which shifts the reported word times.
		Args: append([]string{"-remove_silence", "no"}, cfg.Args...),
	}
	r := &EmbeddedRecognizer{pool: make(chan *sphinx.Decoder, cfg.Pool)}
	switch cfg.Mode {
	case ModeKeywords:
		if cfg.Keyphrases == nil {
			cfg.Keyphrases = DefaultKeyphrases()
		}
		if len(cfg.Keyphrases) == 0 {
			return nil, errors.New("asr: embedded: no keyphrases")
		}
		opts.PhoneLoopProb = cfg.PhoneLoopProb
		r.strict = make(map[string]float64, len(cfg.Keyphrases))
		for _, k := range cfg.Keyphrases {
			if !(k.Threshold > 0) || math.IsInf(k.Threshold, 0) {
				return nil, fmt.Errorf("asr: embedded: keyphrase %q: threshold %v is not a positive number", k.Phrase, k.Threshold)
			}
			r.strict[strings.Join(k.Words(), " ")] = math.Log10(k.Threshold)
			opts.Keyphrases = append(opts.Keyphrases, k)
		}
	case ModeTranscribe:
	default:
		return nil, fmt.Errorf("asr: embedded: unknown mode %q (want %q or %q)", cfg.Mode, ModeKeywords, ModeTranscribe)
	}
	r.cfg = cfg
	m, err := sphinx.Prepare(opts)
	if errors.Is(err, sphinx.ErrNotBuilt) || errors.Is(err, sphinx.ErrNoModel) {
		return nil, fmt.Errorf("asr: embedded: %w: %w", ErrUnavailable, err)
	}
	if err != nil {
		return nil, fmt.Errorf("asr: embedded: %w", err)
	}
	r.model = m
	d, err := r.newDecoder()
	if err != nil {
		_ = m.Close()
		return nil, fmt.Errorf("asr: embedded: %w", err)
	}
	r.release(d)
	return r, nil
}

// newDecoder loads a decoder and runs one short utterance of line noise
// through it: pocketsphinx's first utterance differs from every later one
// (word frames come about 0.1 s late and scores shift a little), so
// warming up makes a new decoder behave like a pooled one.
func (r *EmbeddedRecognizer) newDecoder() (*sphinx.Decoder, error) {
	d, err := r.model.NewDecoder()
	if err != nil {
		return nil, err
	}
	err = d.StartUtt()
	if err == nil {
		err = d.Process(lineNoise(sphinx.SampleRate / 5))
	}
	if err == nil {
		err = d.EndUtt()
	}
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("warm up decoder: %w", err)
	}
	d.ResetCMN()
	return d, nil
}

// Name returns "pocketsphinx-kws" or "pocketsphinx-lm".
func (r *EmbeddedRecognizer) Name() string { return "pocketsphinx-" + r.cfg.Mode }

// Open returns the number of open streams.
func (r *EmbeddedRecognizer) Open() int { return int(r.open.Load()) }

// NewStream starts recognising one call with a decoder from the pool, or a
// new one.
func (r *EmbeddedRecognizer) NewStream(ctx context.Context) (Stream, error) {
	if r.closed.Load() {
		return nil, errors.New("asr: new stream: recogniser closed")
	}
	if n := r.open.Add(1); r.cfg.MaxStreams > 0 && n > int64(r.cfg.MaxStreams) {
		r.open.Add(-1)
		return nil, ErrBusy
	}
	if err := ctx.Err(); err != nil {
		r.open.Add(-1)
		return nil, fmt.Errorf("asr: new stream: %w", err)
	}
	var d *sphinx.Decoder
	select {
	case d = <-r.pool:
	default:
		var err error
		if d, err = r.newDecoder(); err != nil {
			r.open.Add(-1)
			return nil, fmt.Errorf("asr: new stream: %w", err)
		}
	}
	return NewUtteranceStream(ctx, &sphinxUtterances{r: r, d: d}, r.cfg.Stream), nil
}

// release returns a decoder to the pool, or frees it when the pool is
// full or the recogniser closed.
func (r *EmbeddedRecognizer) release(d *sphinx.Decoder) {
	if !r.closed.Load() {
		d.ResetCMN()
		select {
		case r.pool <- d:
			return
		default:
		}
	}
	_ = d.Close()
}

// Close frees the idle decoders and the generated model files. Streams
// still open keep working; their decoders are freed when they close.
func (r *EmbeddedRecognizer) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	for {
		select {
		case d := <-r.pool:
			_ = d.Close()
		default:
			return r.model.Close()
		}
	}
}

// lineNoise returns n samples of quiet white noise (about -60 dBFS), the
// sound of an idle line, from a fixed seed.
func lineNoise(n int) []int16 {
	out := make([]int16, n)
	x := uint32(1)
	for i := range out {
		x = x*1664525 + 1013904223
		out[i] = int16(int32(x>>16)%64 - 32)
	}
	return out
}

// sphinxUtterances adapts a pocketsphinx decoder to UtteranceDecoder.
type sphinxUtterances struct {
	r        *EmbeddedRecognizer
	d        *sphinx.Decoder
	seen     map[sphinx.Word]bool // keyword detections already taken from the decoder in this utterance
	pending  []Segment            // detections waiting to settle
	reported []Segment            // detections reported
	now      time.Duration        // audio decoded in this utterance
}

const frameDur = time.Second / sphinx.FrameRate

func (u *sphinxUtterances) Begin(context.Context) error {
	clear(u.seen)
	u.pending, u.reported, u.now = u.pending[:0], u.reported[:0], 0
	return u.d.StartUtt()
}

func (u *sphinxUtterances) Audio(_ context.Context, pcm []int16) ([]Segment, error) {
	if err := u.d.Process(pcm); err != nil {
		return nil, err
	}
	u.now += time.Duration(len(pcm)) * time.Second / sphinx.SampleRate
	if u.r.cfg.Mode != ModeKeywords {
		return nil, nil
	}
	return u.detections(false), nil
}

func (u *sphinxUtterances) End(context.Context) ([]Segment, error) {
	if err := u.d.EndUtt(); err != nil {
		return nil, err
	}
	if u.r.cfg.Mode == ModeKeywords {
		return u.detections(true), nil
	}
	words := u.d.Words()
	if len(words) == 0 {
		return nil, nil
	}
	text := make([]string, len(words))
	for i, w := range words {
		text[i] = w.Text
	}
	return []Segment{{
		Text:  NormalizeText(strings.Join(text, " ")),
		Start: time.Duration(words[0].StartFrame) * frameDur,
		End:   time.Duration(words[len(words)-1].EndFrame+1) * frameDur,
		Final: true,
	}}, nil
}

// settle is how long a keyword detection waits before it is reported: the
// keyword search may report a phrase again over the same audio with a
// better score (and reports variants such as "courier" and "courier(2)"
// separately); waiting lets the best of them be the one reported.
const settle = time.Second

// detections returns the keyword detections that have settled (all of
// them when final), oldest first. Detections of one phrase over
// overlapping audio — repeated reports, and variants such as "courier" and
// "courier(2)" — are one detection, reported with the best confidence.
func (u *sphinxUtterances) detections(final bool) []Segment {
	for _, w := range u.d.Words() {
		if u.seen[w] {
			continue
		}
		if u.seen == nil {
			u.seen = make(map[sphinx.Word]bool)
		}
		u.seen[w] = true
		u.pending = append(u.pending, Segment{
			Text:       NormalizeText(w.Text),
			Start:      time.Duration(w.StartFrame) * frameDur,
			End:        time.Duration(w.EndFrame+1) * frameDur,
			Final:      true,
			Confidence: u.r.confidence(w.Key, w.Score),
			Spotted:    true,
			phrase:     w.Key,
			score:      w.Score,
		})
	}
	if u.r.raw {
		out := u.pending
		u.pending = nil
		return out
	}
	slices.SortStableFunc(u.pending, func(a, b Segment) int { return cmp.Compare(b.Confidence, a.Confidence) })
	var out []Segment
	keep := u.pending[:0]
	for i, s := range u.pending {
		switch {
		case slices.ContainsFunc(u.reported, func(r Segment) bool { return sameDetection(r, s) }):
			// a weaker report of a detection already made
		case final || !slices.ContainsFunc(u.pending[i:], func(p Segment) bool { return sameDetection(p, s) && p.End+settle > u.now }):
			u.reported = append(u.reported, s)
			out = append(out, s)
		default:
			keep = append(keep, s)
		}
	}
	u.pending = keep
	slices.SortStableFunc(out, func(a, b Segment) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// sameDetection reports whether two detections are of the same phrase over
// overlapping audio.
func sameDetection(a, b Segment) bool {
	return a.Text == b.Text && a.Start < b.End && b.Start < a.End
}

// confidence maps a detection's score (log10 likelihood ratio) to (0, 1]
// with a logistic curve centred on the phrase's tuned threshold: 0.5 at the
// threshold (the least a detection scores), about 0.9 five decades above.
func (r *EmbeddedRecognizer) confidence(phrase string, score float64) float64 {
	strict, ok := r.strict[phrase]
	if !ok {
		return 0
	}
	return 1 / (1 + math.Pow(10, -(score-strict)/confidenceScale))
}

// confidenceScale is how many decades of likelihood ratio move the
// confidence from 0.5 to about 0.9.
const confidenceScale = 5 / 0.954 // log10(9) = 0.954

func (u *sphinxUtterances) Close() error {
	if u.d.InUtt() {
		_ = u.d.EndUtt()
	}
	u.r.release(u.d)
	u.r.open.Add(-1)
	return nil
}
