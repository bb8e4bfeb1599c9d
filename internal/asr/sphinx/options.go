package sphinx

import "errors"

// Paths of Debian's pocketsphinx-en-us package.
const (
	DefaultModelDir = "/usr/share/pocketsphinx/model/en-us/en-us"
	DefaultDict     = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
	DefaultLM       = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"
)

// SampleRate is the sample rate of the en-us acoustic model and of the
// audio a Decoder takes.
const SampleRate = 16000

// FrameRate is the number of feature frames per second of audio: word
// start and end frames count in units of 1/FrameRate s.
const FrameRate = 100

// ErrNotBuilt is returned by Prepare when clearline was built without
// pocketsphinx (CGO_ENABLED=0 or the nosphinx build tag).
var ErrNotBuilt = errors.New("built without pocketsphinx (needs cgo and libpocketsphinx-dev; rebuild without the nosphinx tag)")

// ErrNoModel is wrapped by Prepare when the acoustic model, dictionary or
// language model files are missing (install pocketsphinx-en-us).
var ErrNoModel = errors.New("pocketsphinx model files missing")

// Options selects the model and the search of the decoders a Model makes.
type Options struct {
	ModelDir string // acoustic model directory (-hmm); DefaultModelDir when empty
	Dict     string // pronunciation dictionary (-dict); DefaultDict when empty

	// Keyphrases, when not empty, selects keyword spotting: decoders
	// report only these phrases. The dictionary is reduced to their words.
	// A word may name a pronunciation variant, "courier(2)", defined in
	// Dict or ExtraDict; detections are reported without the suffix.
	Keyphrases []Keyphrase
	// ExtraDict adds dictionary lines in CMUdict format for keyword
	// spotting, e.g. a British pronunciation "courier(2) K UH R IY ER".
	// Their names must not repeat entries of Dict.
	ExtraDict []string
	// PhoneLoopProb is the keyword search's phone-loop probability
	// (-kws_plp); 0 keeps pocketsphinx's default (0.1).
	PhoneLoopProb float64
	// Delay is how many frames the keyword search waits for a better
	// score before it reports a detection (-kws_delay); 0 keeps the
	// default (10).
	Delay int

	// CMNInit is the initial estimate of the cepstral means (what
	// -cmninit would set, but the model's feat.params overrides that), which
	// the decoder then adapts at the end of each utterance. The
	// acoustic model's own (wideband microphone speech) is used when
	// empty; telephone audio is far from it, and the first utterances of a
	// call are lost until the estimate adapts, so a telephone recogniser
	// should pass a telephone-band estimate.
	CMNInit []float64

	// LM is the n-gram language model (-lm) for full transcription, used
	// when Keyphrases is empty; DefaultLM when empty.
	LM string

	// Args are further pocketsphinx arguments as name, value pairs, e.g.
	// {"-beam", "1e-60"}. They override everything above.
	Args []string
}

// Word is one recognised word, or one detected keyphrase in keyword
// spotting, with its place in the utterance.
type Word struct {
	Text       string // the word or phrase, pronunciation-variant suffixes removed
	Key        string // keyword spotting: the phrase as listed, variant suffixes kept
	StartFrame int    // first frame, from the start of the utterance
	EndFrame   int    // last frame (inclusive)
	// Score says how sure the decoder is; higher is more certain. In
	// keyword spotting it is the base-10 log of the detection's likelihood
	// ratio against the phone loop, comparable with the phrase's
	// threshold: a detection at Threshold 1e-20 has a Score of at least
	// -20. In full transcription it is the natural log of the word's
	// posterior probability (0 when pocketsphinx computed none).
	Score float64
}

// Keyword-spotting scores are kept in pocketsphinx's integer log domain:
// log base 1.0001, shifted right by 10 bits (SENSCR_SHIFT), and a
// detection's reported probability has KWS_MAX (1500) subtracted.
const (
	kwsMax       = 1500
	kwsUnitLog10 = 1024 * 4.3427276862669e-05 // log10(1.0001) per unshifted unit
)

// kwsLog10 converts a keyword detection's reported probability to the
// base-10 log of its likelihood ratio.
func kwsLog10(prob int) float64 { return float64(prob+kwsMax) * kwsUnitLog10 }
