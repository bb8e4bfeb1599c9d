// Package asr turns the caller's side of a call into text for the
// scam-script detector: streaming speech recognisers behind one interface.
//
// A [Recognizer] makes one [Stream] per analysed call. The media path
// writes the caller leg's 8 kHz audio into the stream frame by frame; Write
// never blocks (when the recogniser falls behind, frames are dropped and
// counted), and transcript [Segment]s come out of Results as utterances are
// recognised. Close flushes the last utterance, ends the stream's goroutine
// and releases the decoder.
//
// Two recognisers are provided:
//   - [Embedded]: pocketsphinx through cgo (package sphinx), by default in
//     keyword-spotting mode over a list of phrases scams depend on
//     ([DefaultKeyphrases]); it needs no network. Built without cgo or
//     with the nosphinx tag, Embedded returns [ErrUnavailable].
//   - package remote: an external recogniser server speaking the
//     OpenAI-compatible /v1/audio/transcriptions API (whisper servers),
//     fed utterance by utterance.
//
// Both share the front end in [NewUtteranceStream]: frame buffering, the
// energy VAD that cuts the call into utterances and the 8 kHz -> 16 kHz
// windowed-sinc upsampler (package audio). An engine only implements
// [UtteranceDecoder].
//
// What it never does: decide what a transcript means (package detect),
// touch RTP or SIP, or block its caller's goroutine on recognition.
package asr

import (
	"context"
	"errors"
	"time"
)

// Segment is a piece of transcript.
type Segment struct {
	// Text is lowercase words separated by single spaces.
	Text string
	// Start and End are offsets in the call's audio: from the first sample
	// written to the stream.
	Start, End time.Duration
	// Final is false for a partial hypothesis that a later segment over
	// the same span will replace.
	Final bool
	// Confidence is in (0, 1], or 0 when the recogniser gives none. A
	// keyword detection scores at least 0.5 (its phrase's tuned threshold)
	// and nears 1 as the match clears the threshold by more.
	Confidence float64
	// Spotted marks a keyword-spotting result: Text is one phrase from the
	// recogniser's list, not a transcript of everything said between Start
	// and End, so the absence of other words means nothing.
	Spotted bool

	// For this package's measurements of keyword spotting: the keyphrase as
	// listed (variant suffix kept) and its raw score.
	phrase string
	score  float64
}

// Recognizer makes streams. Implementations are safe for concurrent use.
type Recognizer interface {
	// NewStream starts recognising one call's audio. ctx bounds the
	// stream's whole life: cancelling it abandons the audio not yet
	// recognised and closes Results.
	NewStream(ctx context.Context) (Stream, error)
	// Name identifies the recogniser in logs and incident reports, e.g.
	// "pocketsphinx-kws".
	Name() string
}

// Stream recognises one call's audio.
type Stream interface {
	// Write queues 8 kHz mono 16-bit samples (typically one 20 ms frame)
	// from the caller leg. It never blocks and does not keep pcm: when the
	// queue is full the frame is dropped and counted. Writes after Close
	// are dropped.
	Write(pcm8k []int16)
	// Results delivers segments in order and is closed when the stream
	// ends (after Close, or when its context is cancelled).
	Results() <-chan Segment
	// Close stops accepting audio, recognises what is queued, delivers the
	// last segments, ends the stream's goroutine and releases the decoder.
	// It returns the first recognition error the stream met, if any.
	Close() error
}

// Stats counts what happened to a stream's audio. Streams made by this
// package and its subpackages report them through [StatsReporter].
type Stats struct {
	Written       time.Duration // audio passed to Write
	Dropped       time.Duration // audio dropped because the queue was full or the stream closed
	Speech        time.Duration // audio the VAD passed to the decoder
	Utterances    int           // utterances decoded
	Segments      int           // segments delivered
	LostSegments  int           // segments dropped because Results was not read
	DecodeTime    time.Duration // wall time spent in the decoder
	DecoderErrors int           // utterances whose decoding failed
}

// StatsReporter is implemented by streams that count their audio.
type StatsReporter interface {
	Stats() Stats
}

// ErrUnavailable is returned (wrapped) by a constructor whose recogniser is
// not part of this build or not installed.
var ErrUnavailable = errors.New("speech recogniser unavailable")
