package media

import (
	"strconv"
	"strings"

	"github.com/clearline/clearline/internal/media/g711"
)

// Codec is an RTP audio payload format as named in SDP (RFC 3551, RFC 4566
// a=rtpmap).
type Codec struct {
	PT        uint8  // RTP payload type
	Name      string // encoding name, e.g. "PCMU"
	ClockRate int    // RTP clock rate in Hz
}

// The audio codecs clearline relays, with their static payload types
// (RFC 3551 table 4).
var (
	PCMU = Codec{PT: 0, Name: "PCMU", ClockRate: 8000}
	PCMA = Codec{PT: 8, Name: "PCMA", ClockRate: 8000}
)

// Payload types and names that are not audio codecs.
const (
	// PTComfortNoise is the static payload type of RFC 3389 comfort noise.
	PTComfortNoise uint8 = 13
	// TelephoneEvent is the encoding name of RFC 4733 events.
	TelephoneEvent = "telephone-event"
	// DefaultEventPT is the dynamic payload type clearline offers for
	// telephone-event when it makes the offer.
	DefaultEventPT uint8 = 101
)

// Audio timing: clearline speaks 8 kHz G.711 in 20 ms frames.
const (
	SampleRate   = 8000
	FrameSamples = 160 // 20 ms at 8 kHz
)

// String returns "PCMU/8000 (pt 0)" style text for logs.
func (c Codec) String() string {
	return c.Name + "/" + strconv.Itoa(c.ClockRate) + " (pt " + strconv.Itoa(int(c.PT)) + ")"
}

// Same reports whether two codecs are the same format (payload types may
// differ for dynamic formats).
func (c Codec) Same(o Codec) bool {
	return strings.EqualFold(c.Name, o.Name) && c.ClockRate == o.ClockRate
}

// isG711 reports whether c is one of the codecs the relay can decode.
func (c Codec) isG711() bool { return c.Same(PCMU) || c.Same(PCMA) }

// g711ByPT returns the G.711 codec with static payload type pt.
func g711ByPT(pt uint8) (Codec, bool) {
	switch pt {
	case PCMU.PT:
		return PCMU, true
	case PCMA.PT:
		return PCMA, true
	}
	return Codec{}, false
}

// silenceByte is the code of linear zero in c's law.
func (c Codec) silenceByte() byte {
	if c.PT == PCMA.PT {
		return g711.ALawSilence
	}
	return g711.ULawSilence
}

// decode decodes a G.711 payload in this codec into dst.
func (c Codec) decode(dst []int16, payload []byte) int {
	if c.PT == PCMA.PT {
		return g711.DecodeALaw(dst, payload)
	}
	return g711.DecodeULaw(dst, payload)
}

// encode encodes pcm into dst in this codec.
func (c Codec) encode(dst []byte, pcm []int16) int {
	if c.PT == PCMA.PT {
		return g711.EncodeALaw(dst, pcm)
	}
	return g711.EncodeULaw(dst, pcm)
}

// transcode converts a payload from codec from to codec c into dst.
func (c Codec) transcode(dst, payload []byte, from Codec) int {
	switch {
	case from.PT == c.PT:
		return copy(dst, payload)
	case c.PT == PCMA.PT:
		return g711.ULawToALaw(dst, payload)
	default:
		return g711.ALawToULaw(dst, payload)
	}
}
