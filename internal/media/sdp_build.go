package media

import (
	"net/netip"
	"strconv"
)

// BuildSDP returns clearline's SDP for one leg: RTP at addr, the given
// codecs in order, telephone-event at eventPT (0 for none), the direction
// (sendrecv when empty) and a 20 ms ptime.
//
// The origin line is derived from addr alone, so the body is the same for
// the same arguments. A leg that answers several offers in one dialog
// should use [Leg.SDP], which keeps the origin and increments its version
// whenever the body changes (RFC 3264 §8).
func BuildSDP(addr netip.AddrPort, codecs []Codec, eventPT uint8, direction string) []byte {
	return buildSDP(uint64(addr.Port()), 1, addr, codecs, eventPT, direction)
}

func buildSDP(sessID, version uint64, addr netip.AddrPort, codecs []Codec, eventPT uint8, direction string) []byte {
	if direction == "" {
		direction = SendRecv
	}
	ipv := " IN IP4 "
	if addr.Addr().Is6() && !addr.Addr().Is4In6() {
		ipv = " IN IP6 "
	}
	ip := addr.Addr().Unmap()
	b := make([]byte, 0, 256) // the body is the only allocation
	b = append(b, "v=0\r\no=clearline "...)
	b = strconv.AppendUint(b, sessID, 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, version, 10)
	b = append(b, ipv...)
	b = ip.AppendTo(b)
	b = append(b, "\r\ns=clearline\r\nc="...)
	b = append(b, ipv[1:]...)
	b = ip.AppendTo(b)
	b = append(b, "\r\nt=0 0\r\nm=audio "...)
	b = strconv.AppendUint(b, uint64(addr.Port()), 10)
	b = append(b, " RTP/AVP"...)
	for _, c := range codecs {
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(c.PT), 10)
	}
	if eventPT != 0 {
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(eventPT), 10)
	}
	b = append(b, "\r\n"...)
	for _, c := range codecs {
		b = append(b, "a=rtpmap:"...)
		b = strconv.AppendUint(b, uint64(c.PT), 10)
		b = append(b, ' ')
		b = append(b, c.Name...)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(c.ClockRate), 10)
		b = append(b, "\r\n"...)
	}
	if eventPT != 0 {
		b = append(b, "a=rtpmap:"...)
		b = strconv.AppendUint(b, uint64(eventPT), 10)
		b = append(b, " telephone-event/8000\r\na=fmtp:"...)
		b = strconv.AppendUint(b, uint64(eventPT), 10)
		b = append(b, " 0-16\r\n"...)
	}
	b = append(b, "a=ptime:20\r\na="...)
	b = append(b, direction...)
	b = append(b, "\r\n"...)
	return b
}
