package media

import (
	"encoding/binary"
	"errors"
)

// rtpHeader is the part of an RTP fixed header (RFC 3550 §5.1) the media
// plane uses. CSRCs, header extensions and padding are skipped.
type rtpHeader struct {
	marker bool
	pt     uint8
	seq    uint16
	ts     uint32
	ssrc   uint32
}

const (
	rtpVersion   = 2
	rtpHeaderLen = 12
)

// Parse errors are sentinel values so that rejecting a packet never
// allocates.
var (
	errRTPShort     = errors.New("rtp: packet shorter than its header")
	errRTPVersion   = errors.New("rtp: version is not 2")
	errRTPPadding   = errors.New("rtp: bad padding length")
	errRTPNoPayload = errors.New("rtp: no payload")
)

// parseRTP parses b as an RTP packet and returns its header and payload, a
// sub-slice of b. A packet with an empty payload is an error: nothing the
// media plane handles is empty.
func parseRTP(b []byte) (h rtpHeader, payload []byte, err error) {
	if len(b) < rtpHeaderLen {
		return h, nil, errRTPShort
	}
	if b[0]>>6 != rtpVersion {
		return h, nil, errRTPVersion
	}
	n := rtpHeaderLen + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 { // header extension: 16-bit profile, 16-bit length in words
		if len(b) < n+4 {
			return h, nil, errRTPShort
		}
		n += 4 + 4*int(binary.BigEndian.Uint16(b[n+2:]))
	}
	if len(b) < n {
		return h, nil, errRTPShort
	}
	end := len(b)
	if b[0]&0x20 != 0 { // padding: the last byte counts the padding bytes
		p := int(b[end-1])
		if p == 0 || end-p < n {
			return h, nil, errRTPPadding
		}
		end -= p
	}
	if end == n {
		return h, nil, errRTPNoPayload
	}
	h = rtpHeader{
		marker: b[1]&0x80 != 0,
		pt:     b[1] & 0x7f,
		seq:    binary.BigEndian.Uint16(b[2:]),
		ts:     binary.BigEndian.Uint32(b[4:]),
		ssrc:   binary.BigEndian.Uint32(b[8:]),
	}
	return h, b[n:end], nil
}

// putRTPHeader writes a 12-byte RTP header (no CSRC, extension or padding)
// into b.
func putRTPHeader(b []byte, h rtpHeader) {
	_ = b[rtpHeaderLen-1]
	b[0] = rtpVersion << 6
	b[1] = h.pt & 0x7f
	if h.marker {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], h.seq)
	binary.BigEndian.PutUint32(b[4:], h.ts)
	binary.BigEndian.PutUint32(b[8:], h.ssrc)
}
