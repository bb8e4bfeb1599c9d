package testpeer

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"sort"
	"time"
)

// Payload types the scenarios and baresip use (RFC 3551; 101 is the dynamic
// type both offer for telephone-event).
const (
	PTPCMU           uint8 = 0
	PTPCMA           uint8 = 8
	PTTelephoneEvent uint8 = 101
)

// RTPPacket is one RTP packet (RFC 3550), either of an RTPScript to send or
// captured from the wire.
type RTPPacket struct {
	// At is when the packet is sent, counted from the start of its script, or
	// when it was captured, counted from the start of the capture.
	At time.Duration
	// Src and Dst are the UDP addresses of a captured packet.
	Src, Dst    netip.AddrPort
	Marker      bool
	PayloadType uint8
	Seq         uint16
	Timestamp   uint32
	SSRC        uint32
	Payload     []byte
}

// Marshal returns the packet's wire form (no CSRCs, no extension).
func (p RTPPacket) Marshal() []byte {
	b := make([]byte, 12+len(p.Payload))
	b[0] = 0x80
	b[1] = p.PayloadType & 0x7f
	if p.Marker {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], p.Seq)
	binary.BigEndian.PutUint32(b[4:], p.Timestamp)
	binary.BigEndian.PutUint32(b[8:], p.SSRC)
	copy(b[12:], p.Payload)
	return b
}

// ParseRTP parses an RTP packet (version 2), skipping CSRCs, the header
// extension and padding.
func ParseRTP(b []byte) (RTPPacket, error) {
	if len(b) < 12 || b[0]>>6 != 2 {
		return RTPPacket{}, errors.New("testpeer: not an RTP version 2 packet")
	}
	p := RTPPacket{
		Marker:      b[1]&0x80 != 0,
		PayloadType: b[1] & 0x7f,
		Seq:         binary.BigEndian.Uint16(b[2:]),
		Timestamp:   binary.BigEndian.Uint32(b[4:]),
		SSRC:        binary.BigEndian.Uint32(b[8:]),
	}
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 { // extension
		if len(b) < off+4 {
			return RTPPacket{}, errors.New("testpeer: short RTP extension")
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	end := len(b)
	if b[0]&0x20 != 0 && end > 0 { // padding
		end -= int(b[end-1])
	}
	if off > end {
		return RTPPacket{}, errors.New("testpeer: malformed RTP packet")
	}
	p.Payload = append([]byte(nil), b[off:end]...)
	return p, nil
}

// DTMFEvent is one RFC 4733 telephone-event, de-duplicated from its packets.
type DTMFEvent struct {
	Digit     byte          // '0'-'9', '*', '#', 'A'-'D', or '?' for other events
	Event     uint8         // RFC 4733 event code
	Timestamp uint32        // RTP timestamp shared by the event's packets
	Duration  uint16        // longest duration seen, in timestamp units
	Ended     bool          // an end-of-event packet arrived
	At        time.Duration // At of the event's first packet
}

// eventDigits maps RFC 4733 event codes 0-15 to keys.
const eventDigits = "0123456789*#ABCD"

// Events returns the RFC 4733 events in pkts carried with payload type pt,
// one per (SSRC, timestamp), in order of arrival.
func Events(pkts []RTPPacket, pt uint8) []DTMFEvent {
	type key struct {
		ssrc, ts uint32
	}
	idx := map[key]int{}
	var out []DTMFEvent
	for _, p := range pkts {
		if p.PayloadType != pt || len(p.Payload) < 4 {
			continue
		}
		k := key{p.SSRC, p.Timestamp}
		i, ok := idx[k]
		if !ok {
			ev := p.Payload[0]
			d := byte('?')
			if int(ev) < len(eventDigits) {
				d = eventDigits[ev]
			}
			out = append(out, DTMFEvent{Digit: d, Event: ev, Timestamp: p.Timestamp, At: p.At})
			i = len(out) - 1
			idx[k] = i
		}
		if dur := binary.BigEndian.Uint16(p.Payload[2:]); dur > out[i].Duration {
			out[i].Duration = dur
		}
		if p.Payload[1]&0x80 != 0 {
			out[i].Ended = true
		}
	}
	return out
}

// Digits returns the keys of the RFC 4733 events in pkts with payload type pt.
func Digits(pkts []RTPPacket, pt uint8) string {
	var b []byte
	for _, e := range Events(pkts, pt) {
		b = append(b, e.Digit)
	}
	return string(b)
}

// DecodeAudio decodes the PCMU (0) and PCMA (8) packets in pkts to linear
// samples, ordered by sequence number per SSRC (SSRCs in order of first
// arrival); other payload types are skipped. Lost packets are not filled in.
func DecodeAudio(pkts []RTPPacket) []int16 {
	var order []uint32
	by := map[uint32][]RTPPacket{}
	for _, p := range pkts {
		if p.PayloadType != PTPCMU && p.PayloadType != PTPCMA {
			continue
		}
		if _, ok := by[p.SSRC]; !ok {
			order = append(order, p.SSRC)
		}
		by[p.SSRC] = append(by[p.SSRC], p)
	}
	var out []int16
	for _, ssrc := range order {
		ps := by[ssrc]
		base := ps[0].Seq
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Seq-base < ps[j].Seq-base })
		for _, p := range ps {
			if p.PayloadType == PTPCMA {
				out = append(out, DecodePCMA(p.Payload)...)
			} else {
				out = append(out, DecodePCMU(p.Payload)...)
			}
		}
	}
	return out
}

// RTPScript builds one RTP stream (one SSRC, continuous sequence numbers and
// timestamps, 20 ms packets at 8 kHz) to be played by SIPp's play_pcap_audio
// (SippOptions.Media) or written with WritePCAP. Methods append to the
// script and return it, so calls chain:
//
//	NewRTPScript().Audio(speech, PTPCMU).DTMF("1234", PTTelephoneEvent, 100*time.Millisecond, 100*time.Millisecond)
type RTPScript struct {
	// Packets are the packets so far, in sending order.
	Packets []RTPPacket
	ssrc    uint32
	seq     uint16
	ts      uint32
	at      time.Duration
}

// rtpFrame is the packet time of scripts: 20 ms, 160 samples at 8 kHz.
const (
	rtpFrame        = 20 * time.Millisecond
	rtpFrameSamples = 160
)

// NewRTPScript returns an empty script with a random SSRC, sequence number
// and timestamp.
func NewRTPScript() *RTPScript {
	return &RTPScript{ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
}

func (s *RTPScript) add(p RTPPacket) {
	p.SSRC = s.ssrc
	p.Seq = s.seq
	s.seq++
	s.Packets = append(s.Packets, p)
}

// Audio appends pcm (8 kHz) as 20 ms G.711 packets with payload type pt
// (PTPCMU or PTPCMA); the last frame is padded with silence. The first
// packet after a gap or events carries the marker bit.
func (s *RTPScript) Audio(pcm []int16, pt uint8) *RTPScript {
	first := true
	for off := 0; off < len(pcm); off += rtpFrameSamples {
		frame := make([]int16, rtpFrameSamples)
		copy(frame, pcm[off:])
		var payload []byte
		if pt == PTPCMA {
			payload = EncodePCMA(frame)
		} else {
			payload = EncodePCMU(frame)
		}
		s.add(RTPPacket{At: s.at, Marker: first && len(s.Packets) > 0, PayloadType: pt, Timestamp: s.ts, Payload: payload})
		first = false
		s.ts += rtpFrameSamples
		s.at += rtpFrame
	}
	return s
}

// Silence appends d of encoded silence (packets keep flowing).
func (s *RTPScript) Silence(d time.Duration, pt uint8) *RTPScript {
	return s.Audio(Silence(d), pt)
}

// Gap appends d with no packets; the timestamp advances as if time passed.
func (s *RTPScript) Gap(d time.Duration) *RTPScript {
	frames := int(d / rtpFrame)
	s.ts += uint32(frames * rtpFrameSamples)
	s.at += time.Duration(frames) * rtpFrame
	return s
}

// DTMF appends RFC 4733 events with payload type pt for digits (0-9, *, #,
// A-D): per digit, packets every 20 ms for tone (marker on the first,
// duration growing), three end-of-event packets, then pause with no packets.
func (s *RTPScript) DTMF(digits string, pt uint8, tone, pause time.Duration) *RTPScript {
	for i := 0; i < len(digits); i++ {
		ev := -1
		for j := 0; j < len(eventDigits); j++ {
			if eventDigits[j] == upper(digits[i]) {
				ev = j
			}
		}
		if ev < 0 {
			continue
		}
		start := s.ts
		frames := max(1, int(tone/rtpFrame))
		for f := 1; f <= frames; f++ {
			dur := uint16(f * rtpFrameSamples)
			end := f == frames
			repeats := 1
			if end {
				repeats = 3 // RFC 4733 §2.5.1.4: the end packet is sent three times
			}
			for r := 0; r < repeats; r++ {
				s.add(RTPPacket{At: s.at, Marker: f == 1 && r == 0, PayloadType: pt, Timestamp: start, Payload: eventPayload(uint8(ev), end, dur)})
			}
			s.at += rtpFrame
		}
		s.ts += uint32(frames * rtpFrameSamples)
		s.Gap(pause)
	}
	return s
}

// eventPayload encodes an RFC 4733 event payload, volume -10 dBm0.
func eventPayload(ev uint8, end bool, dur uint16) []byte {
	b := []byte{ev, 10, 0, 0}
	if end {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], dur)
	return b
}

// Duration returns the play time of the script so far.
func (s *RTPScript) Duration() time.Duration { return s.at }

// WritePCAP writes the script as a pcap file (Ethernet/IPv4/UDP, packet
// times from At) for SIPp's play_pcap_audio, which rewrites the addresses.
func (s *RTPScript) WritePCAP(path string) error {
	src := netip.MustParseAddrPort("127.0.0.1:40000")
	dst := netip.MustParseAddrPort("127.0.0.1:40002")
	recs := make([]udpRecord, len(s.Packets))
	base := time.Unix(1_700_000_000, 0)
	for i, p := range s.Packets {
		recs[i] = udpRecord{Time: base.Add(p.At), Src: src, Dst: dst, Payload: p.Marshal()}
	}
	return writePCAP(path, recs)
}
