package media

import (
	"errors"
	"fmt"
	"net/netip"
)

// SDP errors. The SIP layer answers 488 Not Acceptable Here to
// ErrNoCommonCodec and ErrNoAudio, 400 to other parse errors.
var (
	ErrNoAudio       = errors.New("no usable audio stream")
	ErrNoCommonCodec = errors.New("no common codec")
)

// Directions (RFC 4566 §6, RFC 3264 §5.1).
const (
	SendRecv = "sendrecv"
	SendOnly = "sendonly"
	RecvOnly = "recvonly"
	Inactive = "inactive"
)

// SessionDesc is what clearline needs from a far end's SDP (RFC 4566): the
// first active audio stream.
type SessionDesc struct {
	// Conn is the stream's connection address (media-level c= over
	// session-level). 0.0.0.0 or :: is the old way of putting a call on hold.
	Conn netip.Addr
	// Port is the stream's RTP port.
	Port int
	// Proto is the transport, normally "RTP/AVP".
	Proto string
	// Codecs are the audio formats in the order listed, without
	// telephone-event and comfort noise.
	Codecs []Codec
	// TelephoneEvent is the RFC 4733 format at 8000 Hz (zero when absent).
	TelephoneEvent Codec
	// ComfortNoise is set when RFC 3389 comfort noise (PT 13) is listed.
	ComfortNoise bool
	// Direction is sendrecv, sendonly, recvonly or inactive (media-level
	// attribute over session-level; sendrecv when absent).
	Direction string
	// Ptime is the a=ptime packet time in milliseconds (0 when absent).
	Ptime int
}

// Addr is the address the stream's RTP goes to.
func (s *SessionDesc) Addr() netip.AddrPort { return netip.AddrPortFrom(s.Conn, uint16(s.Port)) }

// EventPT is the telephone-event payload type, 0 when none was listed.
func (s *SessionDesc) EventPT() uint8 {
	if s.TelephoneEvent.Name == "" {
		return 0
	}
	return s.TelephoneEvent.PT
}

// Hold reports whether the far end will not send RTP (sendonly is kept as
// sending): the direction is inactive or recvonly, or the connection
// address is unspecified.
func (s *SessionDesc) Hold() bool {
	return s.Direction == Inactive || s.Direction == RecvOnly || s.Conn.IsUnspecified()
}

// staticPT names the static audio payload types of RFC 3551 table 4 that
// may appear without an rtpmap.
var staticPT = map[uint8]Codec{
	0:  PCMU,
	3:  {PT: 3, Name: "GSM", ClockRate: 8000},
	4:  {PT: 4, Name: "G723", ClockRate: 8000},
	8:  PCMA,
	9:  {PT: 9, Name: "G722", ClockRate: 8000},
	13: {PT: 13, Name: "CN", ClockRate: 8000},
	18: {PT: 18, Name: "G729", ClockRate: 8000},
}

// ParseSDP parses an SDP body and returns its first audio stream with a
// non-zero port. It accepts and rejects what pion/sdp v3 does (see
// sdpParser).
func ParseSDP(b []byte) (*SessionDesc, error) {
	return parseSDP(string(b))
}

// Negotiate picks the answer's audio codecs: those of the offer, in the
// offer's order, that are in supported (same name, rate and payload type —
// the G.711 codecs are only relayed under their static types). It returns
// an error wrapping ErrNoCommonCodec when there are none, or when the
// stream is not plain RTP/AVP (clearline does not do SRTP).
func Negotiate(offer *SessionDesc, supported []Codec) ([]Codec, error) {
	if offer.Proto != "RTP/AVP" {
		return nil, fmt.Errorf("negotiate: transport %q: %w", offer.Proto, ErrNoCommonCodec)
	}
	out := make([]Codec, 0, min(len(offer.Codecs), len(supported))) // one allocation
	for _, c := range offer.Codecs {
		for _, s := range supported {
			if c.PT == s.PT && c.Same(s) {
				out = append(out, s)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("negotiate: %w", ErrNoCommonCodec)
	}
	return out, nil
}
