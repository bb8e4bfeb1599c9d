package media

import (
	"math/rand/v2"
	"time"
)

// outStream is a leg's outgoing RTP stream: one SSRC, one sequence and
// timestamp space, whatever feeds it. Packets come in segments — relayed
// from one far-end SSRC, or one prompt — and each segment's own numbering
// is mapped onto the stream by an offset chosen when the segment starts, so
// that its first packet follows the last one sent (sequence +1, timestamp
// after the previous packet's media, or later by the time that has passed).
// Within a segment gaps and reordering are kept, so the far end's jitter
// buffer sees the truth about loss; packets clearline drops on purpose
// leave no gap (skip).
type outStream struct {
	ssrc    uint32
	started bool
	seq     uint16        // highest sequence number sent
	ts      uint32        // timestamp of the newest packet sent
	tsEnd   uint32        // timestamp just past the newest media sent
	sentAt  time.Duration // leg clock when the newest packet was sent

	segment   uint64 // the current segment's key
	seqOff    uint16
	tsOff     uint32
	lastInSeq uint16
	lastInTS  uint32
}

// Segment keys: the far end's SSRC for relayed packets, a counter for
// prompts.
const (
	segRelay  uint64 = 1 << 32
	segPrompt uint64 = 2 << 32
)

// A jump this large inside one segment means the source restarted its
// numbering: start a new segment rather than send a wild jump.
const (
	maxSeqJump = 100
	maxTSJump  = 10 * SampleRate
)

func newOutStream() outStream {
	return outStream{ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
}

// stamp returns the sequence number and timestamp for a packet numbered
// (inSeq, inTS) in segment seg, carrying dur timestamp units of media, sent
// at now; newSeg reports the start of a segment (the marker bit is set).
func (s *outStream) stamp(seg uint64, inSeq uint16, inTS, dur uint32, now time.Duration) (seq uint16, ts uint32, newSeg bool) {
	dSeq := int16(inSeq - s.lastInSeq)
	dTS := int32(inTS - s.lastInTS)
	if !s.started || seg != s.segment || dSeq > maxSeqJump || dSeq < -maxSeqJump || dTS > maxTSJump || dTS < -maxTSJump {
		newSeg = true
		seq, ts = s.seq, s.ts // first packet of the stream: the random start
		if s.started {
			seq = s.seq + 1
			ts = s.tsEnd
			// Real time passed since the last packet (a pause, a source that
			// went quiet) shows in the timestamps, in whole 20 ms frames.
			if frames := (now - s.sentAt + 10*time.Millisecond) / (20 * time.Millisecond); frames > 0 {
				if byTime := s.ts + uint32(frames)*FrameSamples; int32(byTime-ts) > 0 {
					ts = byTime
				}
			}
		}
		s.started, s.segment = true, seg
		s.seqOff, s.tsOff = seq-inSeq, ts-inTS
	}
	seq, ts = inSeq+s.seqOff, inTS+s.tsOff
	s.lastInSeq, s.lastInTS = inSeq, inTS
	if newSeg || int16(seq-s.seq) > 0 {
		s.seq = seq
	}
	if newSeg || int32(ts-s.ts) >= 0 {
		s.ts = ts
		s.sentAt = now
	}
	if end := ts + dur; newSeg || int32(end-s.tsEnd) > 0 {
		s.tsEnd = end
	}
	return seq, ts, newSeg
}

// skip closes the sequence gap a packet of segment seg that clearline
// chose not to forward (a blocked or unwanted telephone-event) would leave,
// so the far end does not take it for loss. Gaps from real loss stay.
func (l *Leg) skip(seg uint64) {
	l.sendMu.Lock()
	defer l.sendMu.Unlock()
	if l.out.started && l.out.segment == seg {
		l.out.seqOff--
	}
}

// send stamps pkt (a 12-byte header space followed by the payload) as the
// next packet of segment seg and sends it to the far end. relayed packets
// are dropped while a prompt plays. It never blocks beyond the socket
// write (UDP: the kernel drops when its buffer is full).
func (l *Leg) send(seg uint64, in rtpHeader, dur uint32, pt uint8, pkt []byte, relayed bool) bool {
	l.sendMu.Lock()
	defer l.sendMu.Unlock()
	if l.closed || (relayed && l.playing.Load()) {
		return false
	}
	dest := l.remote.Load().dest
	if !dest.IsValid() || dest.Addr().IsUnspecified() || dest.Port() == 0 {
		return false
	}
	seq, ts, newSeg := l.out.stamp(seg, in.seq, in.ts, dur, l.sinceEpoch())
	putRTPHeader(pkt, rtpHeader{marker: in.marker || newSeg, pt: pt, seq: seq, ts: ts, ssrc: l.out.ssrc})
	if _, err := l.conn.WriteToUDPAddrPort(pkt, dest); err != nil {
		l.stats.sendErrors.Add(1)
		return false
	}
	l.stats.packetsOut.Add(1)
	l.stats.bytesOut.Add(uint64(len(pkt)))
	return true
}
