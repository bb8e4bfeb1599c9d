package dtmf

// Delay is the audio delay the Suppressor adds: 40 ms. A sample leaves the
// suppressor only once every detector window that covers it (plus one
// half-window of margin either side) has been judged, so a tone is cut
// from its first sample, not from when the key is confirmed.
const Delay = 320

const ringSize = 4096 // power of two; holds Delay plus the largest frame

// Suppressor removes keypad tones from a stream of audio, replacing them
// with silence, and reports the keys it removed. It implements the media
// relay's AudioFilter: Process(in, out) with equal lengths, never blocks,
// never allocates. Frames longer than ringSize-Delay samples are passed
// through unfiltered (no telephone codec sends such frames).
type Suppressor struct {
	det   *Detector
	ring  [ringSize]int16
	mute  [ringSize]bool
	in    int64 // samples written
	out   int64 // samples emitted
	emit  func(Digit)
	onKey func(byte)
	// Removed counts samples replaced by silence.
	Removed int64
}

// NewSuppressor returns a suppressor; onKey (may be nil) is told each key
// it removed, when the key ends.
func NewSuppressor(onKey func(key byte)) *Suppressor {
	s := &Suppressor{det: NewDetector(), onKey: onKey}
	s.det.WindowHit = s.hit
	s.emit = func(d Digit) {
		if s.onKey != nil {
			s.onKey(d.Key)
		}
	}
	// The line starts with Delay samples of silence.
	s.in = Delay
	return s
}

// hit marks a tone-like window (and half a window either side) for muting.
func (s *Suppressor) hit(start int64) {
	from := max(start+Delay-half, s.out)
	to := min(start+Delay+window+half, s.in)
	for i := from; i < to; i++ {
		s.mute[i&(ringSize-1)] = true
	}
}

// Process implements media.AudioFilter.
func (s *Suppressor) Process(in, out []int16) {
	if len(in) > ringSize-Delay {
		copy(out, in)
		return
	}
	for _, v := range in {
		i := s.in & (ringSize - 1)
		s.ring[i], s.mute[i] = v, false
		s.in++
	}
	s.det.Process(in, s.emit)
	for k := range out {
		i := s.out & (ringSize - 1)
		if s.mute[i] {
			out[k] = 0
			s.Removed++
		} else {
			out[k] = s.ring[i]
		}
		s.out++
	}
}
