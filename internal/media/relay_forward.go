package media

import "sync/atomic"

// direction forwards what one leg receives to the other. Its methods run
// on the from leg's reader goroutine only, which owns the scratch buffers.
type direction struct {
	from, to *Leg
	mute     atomic.Bool
	filter   atomic.Pointer[filterBox]
	onEvent  atomic.Pointer[EventHandler]

	// pkt is where packets for the other leg are built, made on the first
	// packet: many calls end before any media, and 2 kB less per direction
	// is less to clear and collect at hundreds of calls a second. in and
	// out are the filter's scratch, made when a filter first runs: most
	// calls are never filtered.
	pkt     []byte
	in, out []int16
}

type filterBox struct{ f AudioFilter }

// packet returns the buffer packets for the other leg are built in.
func (d *direction) packet() []byte {
	if d.pkt == nil {
		d.pkt = make([]byte, rtpHeaderLen+readBufSize)
	}
	return d.pkt
}

// audio forwards one audio payload in codec c. pcm is its decoding when the
// reader already has it (for taps), else nil.
func (d *direction) audio(h rtpHeader, payload []byte, c Codec, pcm []int16) {
	outCodec := d.to.remote.Load().codec
	n := len(payload)
	pkt := d.packet()
	body := pkt[rtpHeaderLen : rtpHeaderLen+n]
	switch fb := d.filter.Load(); {
	case d.mute.Load():
		sil := outCodec.silenceByte()
		for i := range body {
			body[i] = sil
		}
	case fb != nil:
		if d.in == nil {
			d.in, d.out = make([]int16, readBufSize), make([]int16, readBufSize)
		}
		if pcm == nil {
			pcm = d.in[:c.decode(d.in[:n], payload)]
		}
		out := d.out[:n]
		d.from.inCallback.Store(true)
		fb.f.Process(pcm, out)
		d.from.inCallback.Store(false)
		if d.from.isClosed.Load() { // closed from inside the filter
			return
		}
		outCodec.encode(body, out)
	default:
		outCodec.transcode(body, payload, c) // a plain copy when the codecs match
	}
	d.to.send(segRelay|uint64(h.ssrc), h, uint32(n), outCodec.PT, pkt[:rtpHeaderLen+n], true)
}

// event forwards one telephone-event packet, with the payload type the
// other leg negotiated, unless the handler keeps it back, the other leg has
// no telephone-event, or the other leg is muted.
func (d *direction) event(h rtpHeader, payload []byte, ev Event) {
	if hp := d.onEvent.Load(); hp != nil {
		d.from.inCallback.Store(true)
		forward := (*hp)(ev)
		d.from.inCallback.Store(false)
		if d.from.isClosed.Load() { // closed from inside the handler
			return
		}
		if !forward {
			d.from.stats.eventsBlocked.Add(1)
			d.to.skip(segRelay | uint64(h.ssrc))
			return
		}
	}
	pt := d.to.remote.Load().eventPT
	if pt == 0 || d.mute.Load() {
		d.to.skip(segRelay | uint64(h.ssrc))
		return
	}
	pkt := d.packet()
	n := copy(pkt[rtpHeaderLen:], payload)
	d.to.send(segRelay|uint64(h.ssrc), h, uint32(ev.Duration), pt, pkt[:rtpHeaderLen+n], true)
}
