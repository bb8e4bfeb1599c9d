package media

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
)

// readBufSize bounds an incoming datagram; larger ones are truncated and
// then fail to parse or are relayed short.
const readBufSize = 2048

// receiver is the state of a leg's reader goroutine; nothing else touches
// it.
type receiver struct {
	buf []byte  // made when the first datagram is waiting (awaitDatagram)
	pcm []int16 // decoded audio for taps (decodeScratch)

	haveEvent          bool
	eventSSRC, eventTS uint32 // the last telephone-event seen, to de-duplicate

	badSource, malformed, unknownPT, readErr rateLog
}

// decodeScratch is where tapped audio is decoded, made on first use: most
// legs are never tapped.
func (r *receiver) decodeScratch() []int16 {
	if r.pcm == nil {
		r.pcm = make([]int16, readBufSize)
	}
	return r.pcm
}

// readLoop drains the RTP socket until it is closed. It never blocks on
// anything but the socket: relaying, taps and digits are non-blocking.
func (l *Leg) readLoop() {
	defer l.reader.Done()
	if err := awaitDatagram(l.conn); err != nil && l.stopReading(err) {
		return
	}
	// Another error from the wait is the read's to report.
	l.rx.buf = make([]byte, readBufSize)
	for {
		n, src, err := l.conn.ReadFromUDPAddrPort(l.rx.buf)
		if err != nil {
			if l.stopReading(err) {
				return
			}
			if ok, n := l.rx.readErr.allow(l.sinceEpoch()); ok {
				l.logLine(slog.LevelWarn, "rtp read failed", "error", err, "suppressed", n)
			}
			continue
		}
		l.handle(l.rx.buf[:n], src)
	}
}

// stopReading reports whether a read error means the leg is closed.
func (l *Leg) stopReading(err error) bool {
	return errors.Is(err, net.ErrClosed) || l.isClosed.Load()
}

// handle processes one datagram from src: source lock, parse, counters,
// then by payload type — audio to taps and the relay, telephone-events to
// Digits and the relay, comfort noise counted and dropped.
func (l *Leg) handle(pkt []byte, src netip.AddrPort) {
	if l.isClosed.Load() {
		return
	}
	src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
	rem := l.remote.Load()
	if !l.acceptSource(rem, src) {
		l.stats.droppedSource.Add(1)
		if ok, n := l.rx.badSource.allow(l.sinceEpoch()); ok {
			level := slog.LevelWarn
			if !rem.sdp.Addr().IsValid() || rem.sdp.Addr().IsUnspecified() {
				level = slog.LevelDebug // no remote yet, or on hold
			}
			l.logLine(level, "rtp from unexpected source dropped",
				"source", src.String(), "expected", rem.dest.String(), "suppressed", n)
		}
		return
	}
	h, payload, err := parseRTP(pkt)
	if err != nil {
		l.stats.droppedMalformed.Add(1)
		if ok, n := l.rx.malformed.allow(l.sinceEpoch()); ok {
			l.logLine(slog.LevelWarn, "malformed rtp dropped", "source", src.String(), "error", err, "suppressed", n)
		}
		return
	}
	l.stats.packetsIn.Add(1)
	l.stats.bytesIn.Add(uint64(len(pkt)))
	l.stats.lastRx.Store(max(1, int64(l.sinceEpoch()))) // 0 means never
	d := l.sink.Load()

	if codec, ok := g711ByPT(h.pt); ok {
		var pcm []int16
		if l.deliver.tapping() {
			scratch := l.rx.decodeScratch()
			pcm = scratch[:codec.decode(scratch, payload)]
			l.deliver.tap(pcm, &l.stats)
		}
		if d != nil {
			d.audio(h, payload, codec, pcm)
		}
		return
	}
	switch {
	case rem.eventPT != 0 && h.pt == rem.eventPT:
		ev, err := ParseEvent(payload)
		if err != nil {
			l.stats.droppedMalformed.Add(1)
			if ok, n := l.rx.malformed.allow(l.sinceEpoch()); ok {
				l.logLine(slog.LevelWarn, "malformed telephone-event dropped", "source", src.String(), "error", err, "suppressed", n)
			}
			return
		}
		ev.Timestamp = h.ts
		l.noteEvent(h.ssrc, ev)
		if d != nil {
			d.event(h, payload, ev)
		}
	case h.pt == PTComfortNoise:
		l.stats.comfortNoise.Add(1)
	default:
		l.stats.droppedPT.Add(1)
		if ok, n := l.rx.unknownPT.allow(l.sinceEpoch()); ok {
			l.logLine(slog.LevelInfo, "rtp with unexpected payload type dropped", "source", src.String(), "pt", int(h.pt), "suppressed", n)
		}
	}
}

// acceptSource applies the source lock and learns a NAT-rewritten port
// (see Leg). Only the reader goroutine calls it.
func (l *Leg) acceptSource(rem *remoteState, src netip.AddrPort) bool {
	if !rem.sdp.Addr().IsValid() || rem.sdp.Addr().IsUnspecified() {
		return false
	}
	var learn bool
	switch {
	case src == rem.dest:
		learn = !rem.latched
	case src == rem.sdp: // the SDP address itself always wins over a learnt port
		learn = true
	case !rem.latched && src.Addr() == rem.sdp.Addr():
		learn = true
	default:
		return false
	}
	if learn {
		n := *rem
		n.dest, n.latched = src, true
		if l.remote.CompareAndSwap(rem, &n) && src != rem.dest {
			l.logLine(slog.LevelInfo, "rtp source learnt", "source", src.String(), "sdp", rem.sdp.String())
		}
	}
	return true
}

// noteEvent sends a DTMF key to Digits once per event: the update and the
// three end packets of one event share its timestamp.
func (l *Leg) noteEvent(ssrc uint32, ev Event) {
	r := &l.rx
	if r.haveEvent && r.eventSSRC == ssrc && r.eventTS == ev.Timestamp {
		return
	}
	r.haveEvent, r.eventSSRC, r.eventTS = true, ssrc, ev.Timestamp
	if d := ev.Digit(); d != 0 {
		l.deliver.digit(d, &l.stats)
	}
}
