//go:build cgo && !nosphinx

package sphinx

/*
#cgo pkg-config: pocketsphinx sphinxbase
#include <stdlib.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/cmn.h>

static void quiet(void) { err_set_logfp(NULL); }

static cmn_t *decoder_cmn(ps_decoder_t *ps) {
	feat_t *f = ps_get_feat(ps);
	return f ? f->cmn_struct : NULL;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// Built reports whether this binary includes the pocketsphinx binding.
const Built = true

// quietOnce switches pocketsphinx's logging (a C global) off once per
// process.
var quietOnce sync.Once

// Model is a prepared decoder configuration shared by all the decoders of
// one recogniser. It is safe for concurrent use.
type Model struct {
	args []string
	kws  bool
	cmn  []float64  // initial cepstral means, or nil for the model's
	dir  string     // private directory of generated files
	mu   sync.Mutex // serialises ps_init, which touches global state
}

// Prepare checks the files o names, writes the generated keyphrase list
// and reduced dictionary into a private temporary directory and returns
// the Model. Close removes the directory.
func Prepare(o Options) (*Model, error) {
	quietOnce.Do(func() { C.quiet() })
	if o.ModelDir == "" {
		o.ModelDir = DefaultModelDir
	}
	if o.Dict == "" {
		o.Dict = DefaultDict
	}
	if _, err := os.Stat(filepath.Join(o.ModelDir, "mdef")); err != nil {
		return nil, fmt.Errorf("sphinx: acoustic model: %w: %w (install pocketsphinx-en-us)", ErrNoModel, err)
	}
	dir, err := os.MkdirTemp("", "clearline-sphinx-")
	if err != nil {
		return nil, fmt.Errorf("sphinx: prepare: %w", err)
	}
	m := &Model{dir: dir}
	args, err := m.buildArgs(o)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	m.args, m.kws, m.cmn = args, len(o.Keyphrases) > 0, append([]float64(nil), o.CMNInit...)
	return m, nil
}

func (m *Model) buildArgs(o Options) ([]string, error) {
	args := []string{"-hmm", o.ModelDir, "-logfn", os.DevNull}
	if len(o.Keyphrases) == 0 {
		lm := o.LM
		if lm == "" {
			lm = DefaultLM
		}
		if _, err := os.Stat(lm); err != nil {
			return nil, fmt.Errorf("sphinx: language model: %w: %w", ErrNoModel, err)
		}
		args = append(args, "-dict", o.Dict, "-lm", lm)
	} else {
		var words []string
		for _, k := range o.Keyphrases {
			words = append(words, k.Words()...)
		}
		dict, err := m.writeReducedDict(o.Dict, words, o.ExtraDict)
		if err != nil {
			return nil, err
		}
		kws := filepath.Join(m.dir, "keyphrases.txt")
		f, err := os.Create(kws)
		if err != nil {
			return nil, fmt.Errorf("sphinx: keyphrases: %w", err)
		}
		werr := WriteKeyphrases(f, o.Keyphrases)
		if err := errors.Join(werr, f.Close()); err != nil {
			return nil, fmt.Errorf("sphinx: %w", err)
		}
		args = append(args, "-dict", dict, "-kws", kws)
		if o.PhoneLoopProb > 0 {
			args = append(args, "-kws_plp", strconv.FormatFloat(o.PhoneLoopProb, 'e', -1, 64))
		}
		if o.Delay > 0 {
			args = append(args, "-kws_delay", strconv.Itoa(o.Delay))
		}
	}
	if len(o.Args)%2 != 0 {
		return nil, fmt.Errorf("sphinx: args %q: want name, value pairs", o.Args)
	}
	for i := 0; i < len(o.Args); i += 2 {
		args = setArg(args, o.Args[i], o.Args[i+1])
	}
	return args, nil
}

// setArg sets name to value in args (name, value pairs), replacing an
// earlier value: pocketsphinx rejects a repeated argument.
func setArg(args []string, name, value string) []string {
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == name {
			args[i+1] = value
			return args
		}
	}
	return append(args, name, value)
}

func (m *Model) writeReducedDict(src string, words, extra []string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("sphinx: dictionary: %w: %w", ErrNoModel, err)
	}
	defer in.Close()
	path := filepath.Join(m.dir, "keyphrases.dict")
	out, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("sphinx: dictionary: %w", err)
	}
	missing, rerr := ReduceDict(out, in, words)
	var werr error
	defined := make(map[string]bool)
	for _, line := range extra {
		head, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		defined[head], defined[BaseWord(head)] = true, true
		if _, err := fmt.Fprintln(out, strings.TrimSpace(line)); err != nil {
			werr = err
		}
	}
	if err := errors.Join(rerr, werr, out.Close()); err != nil {
		return "", fmt.Errorf("sphinx: %w", err)
	}
	missing = slices.DeleteFunc(missing, func(w string) bool { return defined[w] })
	if len(missing) > 0 {
		return "", fmt.Errorf("sphinx: keyphrase words not in %s: %s", src, strings.Join(missing, ", "))
	}
	return path, nil
}

// Args returns the pocketsphinx arguments the Model's decoders are made
// with.
func (m *Model) Args() []string { return append([]string(nil), m.args...) }

// Close removes the Model's generated files. Decoders already made keep
// working.
func (m *Model) Close() error {
	if err := os.RemoveAll(m.dir); err != nil {
		return fmt.Errorf("sphinx: close model: %w", err)
	}
	return nil
}

// Decoder is one pocketsphinx decoder. It is not safe for concurrent use.
type Decoder struct {
	ps      *C.ps_decoder_t
	cmn0    []C.mfcc_t // initial cepstral means, restored by Reset
	inUtt   bool
	kws     bool
	base    int   // frames before this utterance: word frames count from the decoder's start
	samples int64 // samples processed in the decoder's life
	scratch []C.int16
}

// NewDecoder makes a decoder: it loads the acoustic model, which takes
// tens of milliseconds and tens of megabytes.
func (m *Model) NewDecoder() (*Decoder, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	argv := make([]*C.char, len(m.args))
	for i, a := range m.args {
		argv[i] = C.CString(a)
	}
	defer func() {
		for _, p := range argv {
			C.free(unsafe.Pointer(p))
		}
	}()
	var argp **C.char
	if len(argv) > 0 {
		argp = &argv[0]
	}
	cfg := C.cmd_ln_parse_r(nil, C.ps_args(), C.int32(len(argv)), argp, 1)
	if cfg == nil {
		return nil, fmt.Errorf("sphinx: new decoder: invalid arguments %q", m.args)
	}
	ps := C.ps_init(cfg)
	C.cmd_ln_free_r(cfg)
	if ps == nil {
		return nil, fmt.Errorf("sphinx: new decoder: ps_init failed (arguments %q)", m.args)
	}
	d := &Decoder{ps: ps, kws: m.kws}
	if cmn := C.decoder_cmn(ps); cmn != nil && cmn.veclen > 0 {
		d.cmn0 = make([]C.mfcc_t, int(cmn.veclen))
		C.cmn_live_get(cmn, &d.cmn0[0])
		if len(m.cmn) > 0 {
			// -cmninit cannot do this: the model's feat.params overrides it.
			if len(m.cmn) != len(d.cmn0) {
				C.ps_free(ps)
				return nil, fmt.Errorf("sphinx: new decoder: %d initial cepstral means, the model has %d", len(m.cmn), len(d.cmn0))
			}
			for i, x := range m.cmn {
				d.cmn0[i] = C.mfcc_t(x)
			}
			d.ResetCMN()
		}
	}
	return d, nil
}

// StartUtt starts an utterance. Detections and word frames count from it.
func (d *Decoder) StartUtt() error {
	if d.inUtt {
		return errors.New("sphinx: start utterance: already started")
	}
	if C.ps_start_utt(d.ps) < 0 {
		return errors.New("sphinx: start utterance failed")
	}
	// This pocketsphinx numbers word frames over the decoder's whole life,
	// as if the utterances were one stream (and ps_get_n_frames does not
	// add up to it): count them from the samples.
	d.base = int(d.samples / (SampleRate / FrameRate))
	d.inUtt = true
	return nil
}

// Process decodes 16 kHz samples of the current utterance.
func (d *Decoder) Process(pcm []int16) error {
	if !d.inUtt {
		return errors.New("sphinx: process: no utterance started")
	}
	if len(pcm) == 0 {
		return nil
	}
	// Copy into C-typed memory we own: the C side keeps no pointer, but
	// copying avoids relying on int16 and C.int16 sharing a layout.
	if cap(d.scratch) < len(pcm) {
		d.scratch = make([]C.int16, len(pcm))
	}
	buf := d.scratch[:len(pcm)]
	for i, s := range pcm {
		buf[i] = C.int16(s)
	}
	if C.ps_process_raw(d.ps, &buf[0], C.size_t(len(buf)), 0, 0) < 0 {
		return errors.New("sphinx: process failed")
	}
	d.samples += int64(len(buf))
	return nil
}

// EndUtt ends the utterance; its final hypothesis stays readable until the
// next StartUtt.
func (d *Decoder) EndUtt() error {
	if !d.inUtt {
		return nil
	}
	d.inUtt = false
	if C.ps_end_utt(d.ps) < 0 {
		return errors.New("sphinx: end utterance failed")
	}
	return nil
}

// InUtt reports whether an utterance is started.
func (d *Decoder) InUtt() bool { return d.inUtt }

// Hyp returns the current hypothesis: the words so far, or the keyphrases
// detected so far in keyword spotting.
func (d *Decoder) Hyp() string {
	var score C.int32
	h := C.ps_get_hyp(d.ps, &score)
	if h == nil {
		return ""
	}
	return C.GoString(h)
}

// Words returns the hypothesis's words or detections with their frames and
// scores, fillers (silence, noise, sentence markers) left out.
func (d *Decoder) Words() []Word {
	lmath := C.ps_get_logmath(d.ps)
	var out []Word
	for seg := C.ps_seg_iter(d.ps); seg != nil; seg = C.ps_seg_next(seg) {
		w := C.GoString(C.ps_seg_word(seg))
		if isFiller(w) {
			continue
		}
		var sf, ef C.int
		C.ps_seg_frames(seg, &sf, &ef)
		var ascr, lscr, lback C.int32
		p := C.ps_seg_prob(seg, &ascr, &lscr, &lback)
		sf, ef = sf-C.int(d.base), ef-C.int(d.base)
		var score float64
		if d.kws {
			score = kwsLog10(int(p))
		} else {
			score = float64(C.logmath_log_to_ln(lmath, C.int(p)))
		}
		out = append(out, Word{
			Text:       BasePhrase(w),
			Key:        strings.TrimSpace(w),
			StartFrame: int(sf),
			EndFrame:   int(ef),
			Score:      score,
		})
	}
	return out
}

// CMN returns the current cepstral means the decoder normalises with:
// its estimate of the channel, updated at the end of every utterance.
func (d *Decoder) CMN() []float64 {
	cmn := C.decoder_cmn(d.ps)
	if cmn == nil || cmn.veclen <= 0 {
		return nil
	}
	v := make([]C.mfcc_t, int(cmn.veclen))
	C.cmn_live_get(cmn, &v[0])
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// ResetCMN restores the cepstral mean normalisation to the model's initial
// estimate, so a decoder reused for another call does not start from the
// previous caller's channel.
func (d *Decoder) ResetCMN() {
	if cmn := C.decoder_cmn(d.ps); cmn != nil && len(d.cmn0) > 0 {
		C.cmn_live_set(cmn, &d.cmn0[0])
	}
}

// Close frees the decoder. It must not be used afterwards.
func (d *Decoder) Close() error {
	if d.ps == nil {
		return nil
	}
	C.ps_free(d.ps)
	d.ps = nil
	return nil
}

func isFiller(w string) bool {
	return w == "" || w == "<s>" || w == "</s>" || w == "<sil>" || strings.HasPrefix(w, "[") || strings.HasPrefix(w, "++")
}
