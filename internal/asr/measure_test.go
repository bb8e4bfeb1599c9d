package asr

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/asr/audio"
	"github.com/clearline/clearline/internal/asr/sphinx"
	"github.com/clearline/clearline/internal/testpeer"
)

// TestMeasure prints the embedded recogniser's figures: keyword recall on
// flite speech at 16 kHz and through the 8 kHz µ-law telephone path,
// false alarms on harmless speech, real-time factor, decoder memory and
// load time. It is a measurement, not a test: it runs only with
// CLEARLINE_ASR_MEASURE=1 and asserts nothing about the figures.
//
//	CLEARLINE_ASR_MEASURE=1 go test ./internal/asr -run Measure -v -timeout 30m
//
// Synthesised audio is cached in $CLEARLINE_ASR_CACHE (default: the user
// cache directory) so repeated runs only decode.
func TestMeasure(t *testing.T) {
	if os.Getenv("CLEARLINE_ASR_MEASURE") != "1" {
		t.Skip("measurement: set CLEARLINE_ASR_MEASURE=1 to run")
	}
	requireSphinx(t)
	testpeer.Require(t, "flite", "sox")
	c := newMeasureCorpus(t)
	t.Run("CMN", func(t *testing.T) { c.estimateCMN(t) })
	t.Run("Sweep", func(t *testing.T) { c.sweep(t) })
	t.Run("Explore", func(t *testing.T) { c.explore(t) })
	t.Run("Recall", func(t *testing.T) { c.recall(t) })
	t.Run("Cost", func(t *testing.T) { c.cost(t) })
	t.Run("Load", func(t *testing.T) { c.load(t) })
}

type utt struct {
	call, index int
	voice       string
	text        string
	benign      bool
	tune        bool // in the tuning half (even calls) rather than the held-out half
}

type measureCorpus struct {
	sp     speech
	utts   []utt
	voices []string
}

func newMeasureCorpus(t *testing.T) *measureCorpus {
	dir := os.Getenv("CLEARLINE_ASR_CACHE")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "clearline", "asr-measure")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &measureCorpus{sp: speech{dir: dir}, voices: voices16}
	if v := os.Getenv("CLEARLINE_ASR_VOICES"); v != "" {
		c.voices = strings.Split(v, ",")
	}
	scam := loadCalls(t, "testdata/scam_calls.txt")
	benign := loadCalls(t, "testdata/benign_calls.txt")
	n := 0
	for _, v := range c.voices {
		for i, call := range scam {
			for j, text := range call {
				c.utts = append(c.utts, utt{call: n + i, index: j, voice: v, text: text, tune: i%2 == 0})
			}
		}
		n += len(scam)
		for i, call := range benign {
			for j, text := range call {
				c.utts = append(c.utts, utt{call: n + i, index: j, voice: v, text: text, benign: true, tune: i%2 == 0})
			}
		}
		n += len(benign)
	}
	t.Logf("corpus: %d utterances (%d scam calls, %d harmless calls) x voices %v; cache %s",
		len(c.utts)/len(c.voices), len(scam), len(benign), c.voices, dir)
	return c
}

// calls groups utterance indexes by call, in order.
func (c *measureCorpus) calls() [][]int {
	var out [][]int
	for i, u := range c.utts {
		if i == 0 || u.call != c.utts[i-1].call {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], i)
	}
	return out
}

// detection is one keyword detection in one utterance.
type detection struct {
	phrase string
	score  float64
}

// condition names an audio path into the decoder.
type condition string

const (
	clean16     condition = "16 kHz clean"
	phoneFIR    condition = "8 kHz mu-law, windowed-sinc"
	phoneLinear condition = "8 kHz mu-law, linear"
)

func (c *measureCorpus) audio16(t *testing.T, cond condition, u utt) []int16 {
	ctx := context.Background()
	if cond == clean16 {
		pcm, err := c.sp.clean16(ctx, u.voice, u.text)
		if err != nil {
			t.Fatal(err)
		}
		return pcm
	}
	pcm, err := c.sp.phone(ctx, u.voice, u.text)
	if err != nil {
		t.Fatal(err)
	}
	up := audio.NewUpsampler()
	if cond == phoneLinear {
		up = audio.NewLinearUpsampler()
	}
	return up.Upsample(nil, append(pcm, make([]int16, up.Delay())...))
}

// decodeDirect decodes every utterance with decoders of m, one decoder per
// call (as in service, so cepstral normalisation carries across a call's
// utterances), in parallel over calls, and returns each utterance's
// detections.
func (c *measureCorpus) decodeDirect(t *testing.T, m *sphinx.Model, cond condition) [][]detection {
	out := make([][]detection, len(c.utts))
	calls := c.calls()
	work := make(chan []int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for call := range work {
				d, err := m.NewDecoder()
				if err != nil {
					t.Error(err)
					continue
				}
				for _, i := range call {
					out[i] = decodeUtt(t, d, c.audio16(t, cond, c.utts[i]))
				}
				d.Close()
			}
		})
	}
	for _, call := range calls {
		work <- call
	}
	close(work)
	wg.Wait()
	return out
}

func decodeUtt(t *testing.T, d *sphinx.Decoder, pcm []int16) []detection {
	if err := d.StartUtt(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pcm); i += 320 {
		if err := d.Process(pcm[i:min(i+320, len(pcm))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.EndUtt(); err != nil {
		t.Fatal(err)
	}
	var out []detection
	for _, w := range d.Words() {
		out = append(out, detection{phrase: w.Key, score: w.Score})
	}
	return out
}

// withThreshold returns list with every threshold set to th.
func withThreshold(list []TacticPhrase, th float64) []sphinx.Keyphrase {
	out := make([]sphinx.Keyphrase, len(list))
	for i, p := range list {
		out[i] = sphinx.Keyphrase{Phrase: p.Phrase, Threshold: th}
	}
	return out
}

func prepare(t *testing.T, o sphinx.Options) *sphinx.Model {
	if o.ExtraDict == nil {
		o.ExtraDict = DefaultExtraDict()
	}
	m, err := sphinx.Prepare(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// phraseScores gathers, per listed phrase, the best score of each true
// detection and of each false alarm in the tuning calls. A detection is a
// false alarm when the utterance holds no phrase of its tactic ("bank card"
// heard in "your debit card" is not one).
type phraseScores struct{ hits, fas []float64 }

func (c *measureCorpus) phraseScores(dets [][]detection, list []TacticPhrase) map[string]*phraseScores {
	per := map[string]*phraseScores{}
	tactic := map[string]string{}
	for _, p := range list {
		per[p.Phrase] = &phraseScores{}
		tactic[p.Phrase] = p.Tactic
	}
	for i, u := range c.utts {
		if !u.tune {
			continue
		}
		exp, expT := map[string]bool{}, map[string]bool{}
		for _, p := range expectedPhrases(u.text, list) {
			exp[p.Phrase] = true
			expT[p.Tactic] = true
		}
		best := map[string]float64{}
		for _, d := range dets[i] {
			if s, ok := best[d.phrase]; !ok || d.score > s {
				best[d.phrase] = d.score
			}
		}
		for ph := range exp {
			if s, ok := best[ph]; ok {
				per[ph].hits = append(per[ph].hits, s)
			}
		}
		for ph, s := range best {
			if !expT[tactic[ph]] && per[ph] != nil {
				per[ph].fas = append(per[ph].fas, s)
			}
		}
	}
	for _, s := range per {
		slices.Sort(s.hits)
		slices.SortFunc(s.fas, func(a, b float64) int { return cmp.Compare(b, a) })
	}
	return per
}

// tuneRule is the threshold rule: one decade above the strongest false
// alarm in the tuning calls, and no lower than 1e-25.
func tuneRule(s *phraseScores) float64 {
	th := -25.0
	if len(s.fas) > 0 {
		th = max(th, math.Ceil(s.fas[0]+1))
	}
	return th
}

// tuned returns list with thresholds from tuneRule on dets.
func (c *measureCorpus) tuned(dets [][]detection, list []TacticPhrase) []TacticPhrase {
	per := c.phraseScores(dets, list)
	out := slices.Clone(list)
	for i := range out {
		out[i].Threshold = math.Pow(10, tuneRule(per[out[i].Phrase]))
	}
	return out
}

// sweepThreshold is the permissive threshold the first sweep decodes with:
// every detection a tuned threshold would keep is reported.
const sweepThreshold = 1e-40

// permissive returns cfg set to report every detection of list at
// sweepThreshold.
func permissive(cfg EmbeddedConfig, list []TacticPhrase) EmbeddedConfig {
	cfg.Keyphrases = withThreshold(list, sweepThreshold)
	return cfg
}

// sweep runs the telephone-path audio through the default stream with
// permissive thresholds and prints, per phrase, the scores of its true
// detections and false alarms in the tuning calls, and the thresholds
// tuneRule suggests. pocketsphinx restarts a phrase's search once it
// fires, so a permissive threshold can hide how high a path would have
// scored; the suggestions are therefore refined by decoding again at them
// and raising any that still false-alarm, until none does. The result is
// what DefaultTacticPhrases holds.
func (c *measureCorpus) sweep(t *testing.T) {
	list := DefaultTacticPhrases()
	per := c.phraseScores(c.decodeStream(t, permissive(EmbeddedConfig{}, list)), list)
	var b strings.Builder
	fmt.Fprintf(&b, "scores (log10 likelihood ratio) at threshold %g, %s, stream path, tuning calls (scam and harmless):\n", sweepThreshold, phoneFIR)
	fmt.Fprintf(&b, "%-24s %4s %4s %5s %5s %5s  %-34s %s\n", "phrase", "hits", "fa", "now", "sugg", "kept", "hit scores (low..high)", "false-alarm scores (high..low)")
	tuned := slices.Clone(list)
	for i, p := range list {
		s := per[p.Phrase]
		sugg := tuneRule(s)
		tuned[i].Threshold = math.Pow(10, sugg)
		kept := 0
		for _, h := range s.hits {
			if h >= sugg {
				kept++
			}
		}
		fmt.Fprintf(&b, "%-24s %4d %4d %5.0f %5.0f %5d  %-34s %s\n", p.Phrase, len(s.hits), len(s.fas), math.Log10(p.Threshold), sugg, kept, fmtScores(s.hits, 6), fmtScores(s.fas, 6))
	}
	t.Log("\n" + b.String())
	for pass := 1; pass <= 5; pass++ {
		keys := make([]sphinx.Keyphrase, len(tuned))
		for i, p := range tuned {
			keys[i] = p.Keyphrase
		}
		per := c.phraseScores(c.decodeStream(t, EmbeddedConfig{Keyphrases: keys}), tuned)
		raised := 0
		for i, p := range tuned {
			if s := per[p.Phrase]; len(s.fas) > 0 {
				th := math.Max(math.Log10(p.Threshold)+1, math.Ceil(s.fas[0]+1))
				t.Logf("refinement %d: %q false-alarmed at %.1f: threshold 1e%+.0f -> 1e%+.0f", pass, p.Phrase, s.fas[0], math.Log10(p.Threshold), th)
				tuned[i].Threshold = math.Pow(10, th)
				raised++
			}
		}
		if raised == 0 {
			break
		}
	}
	var code strings.Builder
	for _, p := range tuned {
		fmt.Fprintf(&code, "\t\tp(%q, %q, 1e%+.0f),\n", p.Tactic, p.Phrase, math.Log10(p.Threshold))
	}
	t.Log("suggested:\n" + code.String())
}

// explore compares front-end and decoder settings fairly: each runs the
// telephone-path audio through a stream once with permissive thresholds,
// is tuned on its own tuning calls and scored on the held-out calls.
func (c *measureCorpus) explore(t *testing.T) {
	list := DefaultTacticPhrases()
	settings := []struct {
		name string
		cfg  EmbeddedConfig
	}{
		{"defaults: windowed-sinc, telephone CMN, -kws_plp 1e-3", EmbeddedConfig{}},
		{"linear upsampling", EmbeddedConfig{Stream: StreamConfig{LinearUpsampling: true}}},
		{"model's (wideband) CMN", EmbeddedConfig{CMNInit: []float64{}}},
		{"pocketsphinx's VAD on too", EmbeddedConfig{Args: []string{"-remove_silence", "yes"}}},
		{"-kws_plp 1e-1 (pocketsphinx's default)", EmbeddedConfig{PhoneLoopProb: 1e-1}},
		{"-kws_plp 1e-2", EmbeddedConfig{PhoneLoopProb: 1e-2}},
		{"-kws_plp 1e-4", EmbeddedConfig{PhoneLoopProb: 1e-4}},
		{"-beam 1e-80", EmbeddedConfig{Args: []string{"-beam", "1e-80"}}},
	}
	for _, s := range settings {
		if f := os.Getenv("CLEARLINE_ASR_EXPLORE"); f != "" && !strings.Contains(s.name, f) {
			continue
		}
		dets := c.decodeStream(t, permissive(s.cfg, list))
		c.report(t, s.name+" (self-tuned)", dets, c.tuned(dets, list))
	}
}

func fmtScores(s []float64, n int) string {
	var parts []string
	for i, v := range s {
		if i == n {
			parts = append(parts, fmt.Sprintf("...(%d)", len(s)))
			break
		}
		parts = append(parts, fmt.Sprintf("%.0f", v))
	}
	return strings.Join(parts, " ")
}

// score holds recall and false-alarm counts at the tactic level, which is
// what the detector consumes: an utterance "holds" a tactic when its text
// contains one of the tactic's phrases.
type score struct {
	tacticHit, tacticAll int // per utterance: expected tactics detected / expected
	callHit, callAll     int // per call: expected tactics detected / expected
	wrong                int // tactic detections in scam utterances that do not hold the tactic
	benignDet, benignUtt int // tactic detections in harmless utterances / harmless utterances
	benignCalls          int
	benignFlag           int // harmless calls with a detection
}

func (s score) String() string {
	pct := func(a, b int) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%d/%d=%.0f%%", a, b, 100*float64(a)/float64(b))
	}
	return fmt.Sprintf("tactic recall: per utterance %s, per call %s; wrong tactics %d | harmless: %d detections in %d utterances, calls with any %s",
		pct(s.tacticHit, s.tacticAll), pct(s.callHit, s.callAll), s.wrong,
		s.benignDet, s.benignUtt, pct(s.benignFlag, s.benignCalls))
}

// evaluate scores detections over the calls selected by keep, counting
// those at or above their phrase's threshold in list.
func (c *measureCorpus) evaluate(dets [][]detection, list []TacticPhrase, keep func(utt) bool) score {
	tactic := map[string]string{}
	thr := map[string]float64{}
	for _, p := range list {
		tactic[p.Phrase] = p.Tactic
		thr[p.Phrase] = math.Log10(p.Threshold)
	}
	var s score
	for _, call := range c.calls() {
		if !keep(c.utts[call[0]]) {
			continue
		}
		benign := c.utts[call[0]].benign
		callExp, callDet := map[string]bool{}, map[string]bool{}
		for _, i := range call {
			expT := map[string]bool{}
			for _, p := range expectedPhrases(c.utts[i].text, list) {
				expT[p.Tactic] = true
				callExp[p.Tactic] = true
			}
			detT := map[string]bool{}
			for _, d := range dets[i] {
				if th, ok := thr[d.phrase]; ok && d.score >= th {
					detT[tactic[d.phrase]] = true
					callDet[tactic[d.phrase]] = true
				}
			}
			if benign {
				s.benignUtt++
				s.benignDet += len(detT)
				continue
			}
			for tc := range expT {
				s.tacticAll++
				if detT[tc] {
					s.tacticHit++
				}
			}
			for tc := range detT {
				if !expT[tc] {
					s.wrong++
				}
			}
		}
		if benign {
			s.benignCalls++
			if len(callDet) > 0 {
				s.benignFlag++
			}
			continue
		}
		for tc := range callExp {
			s.callAll++
			if callDet[tc] {
				s.callHit++
			}
		}
	}
	return s
}

func (c *measureCorpus) report(t *testing.T, name string, dets [][]detection, list []TacticPhrase) {
	tune := c.evaluate(dets, list, func(u utt) bool { return u.tune })
	test := c.evaluate(dets, list, func(u utt) bool { return !u.tune })
	t.Logf("%s\n    tuning calls:   %v\n    held-out calls: %v", name, tune, test)
	if os.Getenv("CLEARLINE_ASR_VERBOSE") == "1" {
		thr := map[string]float64{}
		for _, p := range list {
			thr[p.Phrase] = math.Log10(p.Threshold)
		}
		for i, u := range c.utts {
			if !u.benign {
				continue
			}
			for _, d := range dets[i] {
				if th, ok := thr[d.phrase]; ok && d.score >= th {
					t.Logf("    harmless (tune=%v) %s: %q heard in %q (score %.0f, threshold %.0f)", u.tune, u.voice, d.phrase, u.text, d.score, th)
				}
			}
		}
	}
}

// phraseRecall counts the utterances whose text holds phrase and in which
// a listed phrase containing it was detected at its threshold.
func (c *measureCorpus) phraseRecall(dets [][]detection, list []TacticPhrase, phrase string) (hit, all int) {
	thr := map[string]float64{}
	for _, p := range list {
		thr[p.Phrase] = math.Log10(p.Threshold)
	}
	for i, u := range c.utts {
		if u.benign || !strings.Contains(" "+NormalizeText(u.text)+" ", " "+phrase+" ") {
			continue
		}
		all++
		for _, d := range dets[i] {
			if th, ok := thr[d.phrase]; ok && d.score >= th && strings.Contains(" "+sphinx.BasePhrase(d.phrase)+" ", " "+phrase+" ") {
				hit++
				break
			}
		}
	}
	return hit, all
}

// transcriptDetections turns full transcriptions into detections: every
// listed phrase found in the text, with a score above any threshold.
func transcriptDetections(texts []string, list []TacticPhrase) [][]detection {
	out := make([][]detection, len(texts))
	for i, text := range texts {
		for _, p := range expectedPhrases(text, list) {
			out[i] = append(out[i], detection{phrase: p.Phrase, score: math.Inf(1)})
		}
	}
	return out
}

// recall scores the shipped configuration (default phrases, thresholds
// and settings) on the whole corpus: the telephone path through the
// stream, and for comparison the same decoder on clean 16 kHz audio and,
// with CLEARLINE_ASR_MEASURE_LM=1, full transcription.
func (c *measureCorpus) recall(t *testing.T) {
	list := DefaultTacticPhrases()
	dets := c.decodeStream(t, EmbeddedConfig{})
	c.report(t, "kws stream (defaults), "+string(phoneFIR), dets, list)
	// The phrases SPEECH.md measured (4/10, 7/10, 7/10 through this path
	// with pocketsphinx's defaults).
	for _, ph := range []string{"detective inspector", "withdraw cash", "courier"} {
		hit, all := c.phraseRecall(dets, list, ph)
		t.Logf("    %q heard in %d/%d utterances that say it (a listed phrase containing it, at its threshold)", ph, hit, all)
	}
	clean := prepare(t, sphinx.Options{Keyphrases: withThreshold(list, sweepThreshold), PhoneLoopProb: DefaultPhoneLoopProb,
		Args: []string{"-remove_silence", "no"}})
	c.report(t, "kws, same phrases and thresholds, model's CMN, "+string(clean16), c.decodeDirect(t, clean, clean16), list)
	if os.Getenv("CLEARLINE_ASR_MEASURE_LM") == "1" {
		lm := prepare(t, sphinx.Options{CMNInit: TelephoneCMN(), Args: []string{"-remove_silence", "no"}})
		c.report(t, "full transcription (en-us LM), telephone CMN, "+string(phoneFIR),
			transcriptDetections(c.transcribe(t, lm, phoneFIR), list), list)
		lm16 := prepare(t, sphinx.Options{Args: []string{"-remove_silence", "no"}})
		c.report(t, "full transcription (en-us LM), "+string(clean16), transcriptDetections(c.transcribe(t, lm16, clean16), list), list)
	}
}

// transcribe decodes every utterance with a full-transcription model.
func (c *measureCorpus) transcribe(t *testing.T, m *sphinx.Model, cond condition) []string {
	out := make([]string, len(c.utts))
	calls := c.calls()
	work := make(chan []int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for call := range work {
				d, err := m.NewDecoder()
				if err != nil {
					t.Error(err)
					continue
				}
				for _, i := range call {
					pcm := c.audio16(t, cond, c.utts[i])
					d.StartUtt()
					for j := 0; j < len(pcm); j += 320 {
						d.Process(pcm[j:min(j+320, len(pcm))])
					}
					d.EndUtt()
					var words []string
					for _, w := range d.Words() {
						words = append(words, w.Text)
					}
					out[i] = strings.Join(words, " ")
				}
				d.Close()
			}
		})
	}
	for _, call := range calls {
		work <- call
	}
	close(work)
	wg.Wait()
	return out
}

// decodeStream runs every call through a stream of an embedded
// recogniser made with cfg, as the media path feeds it (8 kHz µ-law frames
// of 20 ms), and maps the detections back to utterances by their offsets.
func (c *measureCorpus) decodeStream(t *testing.T, cfg EmbeddedConfig) [][]detection {
	cfg.Pool = runtime.GOMAXPROCS(0)
	cfg.Stream.Queue = time.Hour // the corpus is written faster than real time
	r, err := Embedded(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.raw = true
	out := make([][]detection, len(c.utts))
	work := make(chan []int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for call := range work {
				var pcm []int16
				var ends []time.Duration
				for _, i := range call {
					p, err := c.sp.phone(context.Background(), c.utts[i].voice, c.utts[i].text)
					if err != nil {
						t.Error(err)
						return
					}
					pcm = append(pcm, p...)
					ends = append(ends, time.Duration(len(pcm))*time.Second/InputRate)
				}
				st, err := r.NewStream(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				got := collect(st)
				writeFrames(st, pcm)
				if err := st.Close(); err != nil {
					t.Error(err)
				}
				for _, s := range <-got {
					k := min(sort.Search(len(ends), func(i int) bool { return ends[i] > s.Start }), len(call)-1)
					out[call[k]] = append(out[call[k]], detection{phrase: s.phrase, score: s.score})
				}
			}
		})
	}
	for _, call := range c.calls() {
		work <- call
	}
	close(work)
	wg.Wait()
	return out
}

// cost measures decoder load time, memory and real-time factor, for
// keyword spotting (the default) and full transcription.
func (c *measureCorpus) cost(t *testing.T) {
	for _, mode := range []string{ModeKeywords, ModeTranscribe} {
		opts := sphinx.Options{CMNInit: TelephoneCMN(), ExtraDict: DefaultExtraDict(), Args: []string{"-remove_silence", "no"}}
		n := 8
		if mode == ModeKeywords {
			opts.Keyphrases, opts.PhoneLoopProb = DefaultKeyphrases(), DefaultPhoneLoopProb
		} else {
			n = 3
		}
		m := prepare(t, opts)
		before := rssBytes(t)
		var ds []*sphinx.Decoder
		start := time.Now()
		for range n {
			d, err := m.NewDecoder()
			if err != nil {
				t.Fatal(err)
			}
			ds = append(ds, d)
		}
		load := time.Since(start) / time.Duration(n)
		mb := float64(rssBytes(t)-before) / float64(n) / (1 << 20)
		for _, d := range ds {
			d.Close()
		}
		t.Logf("%s decoder: load %v, resident memory %.1f MB each (%d decoders)", mode, load.Round(time.Millisecond), mb, n)
	}

	// Real-time factor through the stream, one call after another on one
	// goroutine: process CPU time over audio time.
	for _, mode := range []string{ModeKeywords, ModeTranscribe} {
		r, err := Embedded(EmbeddedConfig{Mode: mode, Stream: StreamConfig{Queue: time.Hour}})
		if err != nil {
			t.Fatal(err)
		}
		calls := c.calls()
		if mode == ModeTranscribe {
			calls = calls[:4] // 4x the CPU: a sample is enough
		}
		var written, speech time.Duration
		cpu0 := cpuTime()
		for _, call := range calls {
			if c.utts[call[0]].voice != c.voices[0] {
				continue
			}
			var pcm []int16
			for _, i := range call {
				p, err := c.sp.phone(context.Background(), c.utts[i].voice, c.utts[i].text)
				if err != nil {
					t.Fatal(err)
				}
				pcm = append(pcm, p...)
			}
			st, err := r.NewStream(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := collect(st)
			writeFrames(st, pcm)
			st.Close()
			<-got
			s := st.(StatsReporter).Stats()
			written += s.Written
			speech += s.Speech
		}
		cpu := cpuTime() - cpu0
		r.Close()
		t.Logf("%s stream: %.1f s CPU for %.0f s of call audio (%.0f s of it passed by the VAD): real-time factor %.3f per second of call audio, %.3f per second of speech; one core sustains about %.0f such calls",
			mode, cpu.Seconds(), written.Seconds(), speech.Seconds(), cpu.Seconds()/written.Seconds(), cpu.Seconds()/speech.Seconds(), written.Seconds()/cpu.Seconds())
	}
}

// load checks the capacity figure in real time: CLEARLINE_ASR_LOAD=N
// streams fed 20 ms frames on a ticker for 30 s, with GOMAXPROCS=1 (run
// the test under taskset -c 1 to hold it to one core), counting dropped
// audio and CPU used.
func (c *measureCorpus) load(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CLEARLINE_ASR_LOAD"))
	if n <= 0 {
		t.Skip("set CLEARLINE_ASR_LOAD=N to feed N streams in real time")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var pcm []int16
	for _, u := range c.utts {
		if u.voice == c.voices[0] {
			p, err := c.sp.phone(context.Background(), u.voice, u.text)
			if err != nil {
				t.Fatal(err)
			}
			pcm = append(pcm, p...)
		}
	}
	r, err := Embedded(EmbeddedConfig{Pool: n})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	streams := make([]Stream, n)
	for i := range streams {
		if streams[i], err = r.NewStream(context.Background()); err != nil {
			t.Fatal(err)
		}
		go func() {
			for range streams[i].Results() {
			}
		}()
	}
	const dur = 30 * time.Second
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	cpu0, start := cpuTime(), time.Now()
	for f := 0; time.Since(start) < dur; f++ {
		<-tick.C
		for i, st := range streams {
			off := ((f + i*997) * frameSamples) % (len(pcm) - frameSamples) // a different place in the corpus per stream
			st.Write(pcm[off : off+frameSamples])
		}
	}
	cpu := cpuTime() - cpu0
	var written, dropped time.Duration
	for _, st := range streams {
		st.Close()
		s := st.(StatsReporter).Stats()
		written += s.Written
		dropped += s.Dropped
	}
	t.Logf("%d streams for %v on GOMAXPROCS=1: %.1f s CPU (%.0f%% of one core), %v of %v audio dropped",
		n, dur, cpu.Seconds(), 100*cpu.Seconds()/dur.Seconds(), dropped, written)
}

func rssBytes(t *testing.T) int64 {
	runtime.GC()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm")
	}
	var size, rss int64
	fmt.Sscan(string(b), &size, &rss)
	return rss * int64(os.Getpagesize())
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// northWind is "The North Wind and the Sun", the passage phoneticians
// read to show a language's sounds; it shares no sentence with the test
// corpus, so a channel estimate made from it does not see the test audio.
const northWind = "The north wind and the sun were disputing which was the stronger, when a traveller came along wrapped in a warm cloak. " +
	"They agreed that the one who first succeeded in making the traveller take his cloak off should be considered stronger than the other. " +
	"Then the north wind blew as hard as he could, but the more he blew the more closely did the traveller fold his cloak around him; and at last the north wind gave up the attempt. " +
	"Then the sun shone out warmly, and immediately the traveller took off his cloak. " +
	"And so the north wind was obliged to confess that the sun was the stronger of the two."

// estimateCMN decodes "The North Wind and the Sun" in every voice through
// the telephone path and prints the mean of the decoders' final cepstral
// means: the telephone prior (TelephoneCMN) the embedded recogniser
// starts each call from.
func (c *measureCorpus) estimateCMN(t *testing.T) []float64 {
	m := prepare(t, sphinx.Options{Keyphrases: []sphinx.Keyphrase{{Phrase: "north wind", Threshold: 1e-20}}})
	var sum []float64
	for _, v := range c.voices {
		var pcm []int16
		for s := range strings.SplitSeq(northWind, ". ") {
			p := c.audio16(t, phoneFIR, utt{voice: v, text: s})
			pcm = append(pcm, p...)
		}
		d, err := m.NewDecoder()
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second pass starts from the first's estimate
			decodeUtt(t, d, pcm)
		}
		cmn := d.CMN()
		d.Close()
		if sum == nil {
			sum = make([]float64, len(cmn))
		}
		for i, x := range cmn {
			sum[i] += x / float64(len(c.voices))
		}
		t.Logf("%-6s %.2f", v, cmn)
	}
	t.Logf("telephone CMN prior: %.2f", sum)
	return sum
}
