// Package audio is the recognisers' front end: it turns the caller's 8 kHz
// telephone audio into what a recogniser takes. [Upsampler] doubles the
// sample rate with a windowed-sinc polyphase filter (the en-us pocketsphinx
// model and whisper-class models are 16 kHz), [VAD] splits the stream into
// utterances by energy with a pre-roll and a hangover, and [ReadWAV] and
// [WriteWAV] read and write 16-bit PCM WAV files (test audio, and the
// chunks sent to an external recogniser).
//
// Everything here is plain arithmetic on the caller's goroutine: no
// goroutines, no logging, no I/O beyond the reader or writer passed in, and
// the per-frame paths do not allocate once warmed up.
package audio
