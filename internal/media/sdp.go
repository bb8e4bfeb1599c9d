package media

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
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
// non-zero port.
func ParseSDP(b []byte) (*SessionDesc, error) {
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("parse sdp: %w", err)
	}
	var md *sdp.MediaDescription
	for _, m := range sd.MediaDescriptions {
		if m != nil && m.MediaName.Media == "audio" && m.MediaName.Port.Value != 0 {
			md = m
			break
		}
	}
	if md == nil {
		return nil, fmt.Errorf("parse sdp: %w", ErrNoAudio)
	}
	out := &SessionDesc{
		Port:      md.MediaName.Port.Value,
		Proto:     strings.Join(md.MediaName.Protos, "/"),
		Direction: SendRecv,
	}
	if out.Port < 1 || out.Port > 65535 {
		return nil, fmt.Errorf("parse sdp: audio port %d out of range", out.Port)
	}
	ci := md.ConnectionInformation
	if ci == nil {
		ci = sd.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return nil, fmt.Errorf("parse sdp: no connection address for audio")
	}
	addr, err := netip.ParseAddr(ci.Address.Address)
	if err != nil {
		return nil, fmt.Errorf("parse sdp: connection address %q is not an IP address", ci.Address.Address)
	}
	out.Conn = addr.Unmap()

	maps := rtpmaps(md.Attributes)
	for _, f := range md.MediaName.Formats {
		v, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			return nil, fmt.Errorf("parse sdp: payload type %q", f)
		}
		pt := uint8(v)
		c, ok := maps[pt]
		if !ok {
			c = staticPT[pt] // zero Name for an unmapped dynamic type
			c.PT = pt
		}
		switch {
		case strings.EqualFold(c.Name, TelephoneEvent):
			if c.ClockRate == SampleRate && out.TelephoneEvent.Name == "" {
				out.TelephoneEvent = c
			}
		case strings.EqualFold(c.Name, "CN"):
			out.ComfortNoise = true
		default:
			out.Codecs = append(out.Codecs, c)
		}
	}
	for _, attrs := range [][]sdp.Attribute{sd.Attributes, md.Attributes} { // media level wins
		for _, a := range attrs {
			switch a.Key {
			case SendRecv, SendOnly, RecvOnly, Inactive:
				out.Direction = a.Key
			case "ptime":
				if p, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && p > 0 && p <= 1000 {
					out.Ptime = p
				}
			}
		}
	}
	return out, nil
}

// rtpmaps reads a=rtpmap:<pt> <name>/<rate>[/<channels>] attributes; bad
// ones are ignored.
func rtpmaps(attrs []sdp.Attribute) map[uint8]Codec {
	m := make(map[uint8]Codec)
	for _, a := range attrs {
		if a.Key != "rtpmap" {
			continue
		}
		ptText, enc, ok := strings.Cut(strings.TrimSpace(a.Value), " ")
		if !ok {
			continue
		}
		pt, err := strconv.ParseUint(ptText, 10, 7)
		if err != nil {
			continue
		}
		parts := strings.Split(strings.TrimSpace(enc), "/")
		if len(parts) < 2 || parts[0] == "" {
			continue
		}
		rate, err := strconv.Atoi(parts[1])
		if err != nil || rate <= 0 {
			continue
		}
		m[uint8(pt)] = Codec{PT: uint8(pt), Name: parts[0], ClockRate: rate}
	}
	return m
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
	var out []Codec
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
