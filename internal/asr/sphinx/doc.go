// Package sphinx binds the pocketsphinx 0.8 ("5prealpha", as packaged by
// Debian: libpocketsphinx-dev, pocketsphinx-en-us) C decoder through cgo.
//
// A [Model] is prepared once: it checks the acoustic model, writes the
// keyphrase list and a pronunciation dictionary reduced to the words of
// those phrases into a private directory, and creates [Decoder]s. A Decoder
// is one pocketsphinx decoder: it is not safe for concurrent use (the C
// library keeps per-utterance state with no locking), so each call gets its
// own and a Decoder is used by one goroutine at a time. Audio is 16 kHz mono
// 16-bit; frames are 10 ms (100 per second).
//
// The cgo code builds only with cgo and without the "nosphinx" build tag;
// otherwise [Prepare] returns [ErrNotBuilt] and nothing links against
// pocketsphinx, so the rest of clearline builds and runs anywhere. The pure
// parts (dictionary reduction, keyphrase lists) build everywhere.
//
// What it never does: resample, segment or buffer audio, start goroutines,
// or log — pocketsphinx's own log output is switched off.
package sphinx
