package media

import (
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by operations on a closed leg.
var ErrClosed = errors.New("media leg closed")

// Leg is one media leg: a local RTP port facing one far end. It is usable
// on its own as clearline's end of a conversation (Play, Tap, Record,
// Digits) and can be joined to another leg by a Relay.
//
// Source lock: RTP is accepted only from the address the far end's SDP
// gave (SetRemote). Symmetric RTP is honoured: until a packet has come from
// that exact address, the first packet from the same IP on another port
// (a NAT that rewrote the port) is learnt, and from then on both sending
// and receiving use that address only. Packets from anywhere else are
// dropped, counted and logged (at most once a second).
//
// A Leg's methods are safe for concurrent use.
type Leg struct {
	conn  *net.UDPConn
	rtcp  rtcpSocket
	local netip.AddrPort
	alloc *Allocator // the port pair goes back to it on Close
	pair  int
	epoch time.Time

	log    atomic.Pointer[lineLog]
	remote atomic.Pointer[remoteState]
	sink   atomic.Pointer[direction] // the relay direction fed by this leg, nil when alone

	sendMu  sync.Mutex
	out     outStream     // guarded by sendMu
	closed  bool          // guarded by sendMu
	playSem chan struct{} // one prompt at a time; made by the first Play, under sendMu

	playing  atomic.Bool
	playSeq  uint64 // guarded by playSem
	deliver  deliverer
	stats    counters
	isClosed atomic.Bool
	// inCallback is set while this leg's reader runs a relay callback, so a
	// Close from inside the callback does not wait for its own goroutine.
	inCallback atomic.Bool

	sdpMu    sync.Mutex
	sdpID    uint64
	sdpVer   uint64
	sdpBuilt bool
	sdpLast  sdpParams // what the last body was built from

	closeOnce sync.Once
	closeErr  error
	done      chan struct{}  // closed when Close starts
	reader    sync.WaitGroup // the reader goroutine

	rx receiver // state owned by the reader goroutine
}

// remoteState is what SetRemote configured, plus the learnt source. It is
// replaced, never modified, so readers need no lock.
type remoteState struct {
	sdp     netip.AddrPort // the address in the far end's SDP
	dest    netip.AddrPort // where RTP goes and is accepted from: sdp, or the learnt source
	latched bool           // a packet has been accepted from dest
	codec   Codec
	eventPT uint8
}

// noRemote is the remote state of a new leg: no address yet, PCMU. Every
// new leg shares it, which is safe because remote states are replaced,
// never modified.
var noRemote = &remoteState{codec: PCMU}

// newLeg wraps the sockets bound on local (RTP) and the port above it, and
// starts the leg's reader. Everything a leg needs only once media flows
// (buffers, channels) is made on first use, so a call that ends before
// any media costs little more than its sockets.
func newLeg(rtp *net.UDPConn, rtcp rtcpSocket, local netip.AddrPort, log *lineLog, alloc *Allocator, pair int) *Leg {
	l := &Leg{
		conn:   rtp,
		rtcp:   rtcp,
		local:  netip.AddrPortFrom(local.Addr().Unmap(), local.Port()),
		alloc:  alloc,
		pair:   pair,
		epoch:  time.Now(),
		done:   make(chan struct{}),
		sdpID:  rand.Uint64() >> 2,
		sdpVer: 1,
	}
	l.log.Store(log)
	l.remote.Store(noRemote)
	l.out = newOutStream()
	l.reader.Add(1)
	go l.readLoop()
	return l
}

// LocalAddr is the leg's RTP address, to put in clearline's SDP.
func (l *Leg) LocalAddr() netip.AddrPort { return l.local }

// SetLogger replaces the leg's logger (for example one carrying call_id).
// The leg adds its local address to each line it writes.
func (l *Leg) SetLogger(log *slog.Logger) {
	if log != nil {
		l.log.Store(&lineLog{base: log})
	}
}

// logLine writes one line with the leg's logger and its local address:
// the address is formatted only for lines that are written.
func (l *Leg) logLine(level slog.Level, msg string, args ...any) {
	g := l.log.Load()
	if !g.enabled(level) {
		return
	}
	g.write(level, []slog.Attr{slog.String("local", l.local.String())}, msg, args...)
}

// SetRemote points the leg at the far end described by its SDP: the RTP
// address, the audio codecs it listed (the first G.711 one is used; the
// previous codec, initially PCMU, is kept if there is none) and its
// telephone-event payload type (0: none). It may be called again on a
// re-INVITE; a learnt source survives when the address is unchanged. An
// unspecified address (hold with c=0.0.0.0) stops sending and receiving.
func (l *Leg) SetRemote(addr netip.AddrPort, codecs []Codec, eventPT uint8) {
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	for {
		old := l.remote.Load()
		n := &remoteState{sdp: addr, dest: addr, codec: old.codec, eventPT: eventPT}
		for _, c := range codecs {
			if g, ok := g711ByPT(c.PT); ok && c.Same(g) {
				n.codec = g
				break
			}
		}
		if old.sdp == addr {
			n.dest, n.latched = old.dest, old.latched
		}
		if l.remote.CompareAndSwap(old, n) {
			return
		}
	}
}

// Remote is where the leg sends RTP: the SDP address or the learnt source.
func (l *Leg) Remote() netip.AddrPort { return l.remote.Load().dest }

// Codec is the codec the leg sends (and normally receives).
func (l *Leg) Codec() Codec { return l.remote.Load().codec }

// EventPT is the far end's telephone-event payload type, 0 when it has none.
func (l *Leg) EventPT() uint8 { return l.remote.Load().eventPT }

// SDP returns clearline's SDP for this leg (see BuildSDP) with an origin
// line that stays the same for the leg's life and a version that goes up by
// one each time the body changes, as RFC 3264 §8 asks of the answers to
// re-INVITEs.
func (l *Leg) SDP(codecs []Codec, eventPT uint8, direction string) []byte {
	if direction == "" {
		direction = SendRecv // as buildSDP does: the same body
	}
	l.sdpMu.Lock()
	defer l.sdpMu.Unlock()
	// The body is a function of these arguments (the origin and address
	// are the leg's own), so comparing them tells whether it changed
	// without building it twice.
	if l.sdpBuilt && !l.sdpLast.same(codecs, eventPT, direction) {
		l.sdpVer++
	}
	l.sdpBuilt = true
	l.sdpLast.set(codecs, eventPT, direction)
	return buildSDP(l.sdpID, l.sdpVer, l.local, codecs, eventPT, direction)
}

// sdpParams are the arguments of the last Leg.SDP.
type sdpParams struct {
	codecs    []Codec
	eventPT   uint8
	direction string
}

func (p *sdpParams) same(codecs []Codec, eventPT uint8, direction string) bool {
	return p.eventPT == eventPT && p.direction == direction && slices.Equal(p.codecs, codecs)
}

// set keeps a copy of codecs: the caller may reuse its slice.
func (p *sdpParams) set(codecs []Codec, eventPT uint8, direction string) {
	p.codecs = append(p.codecs[:0], codecs...)
	p.eventPT, p.direction = eventPT, direction
}

// Stats returns the leg's counters.
func (l *Leg) Stats() Stats { return l.stats.snapshot(l.epoch) }

// Close closes the leg's sockets at once and ends its reader. After Close
// returns nothing more is sent to the far end and nothing it sends is
// relayed or delivered; taps and Digits are closed and a Play in progress
// returns ErrClosed. Close may be called more than once. Called from a
// relay callback of this same leg it does not wait for the reader (which is
// running the callback), but still nothing is sent or delivered afterwards.
func (l *Leg) Close() error {
	l.closeOnce.Do(func() {
		l.isClosed.Store(true)
		close(l.done)
		l.sendMu.Lock()
		l.closed = true
		l.sendMu.Unlock()
		l.closeErr = l.conn.Close()
		if err := l.rtcp.close(); l.closeErr == nil {
			l.closeErr = err
		}
		l.deliver.close()
		l.alloc.release(l.pair)
	})
	if !l.inCallback.Load() {
		l.reader.Wait()
	}
	return l.closeErr
}

// Done is closed when the leg is closed.
func (l *Leg) Done() <-chan struct{} { return l.done }

// sinceEpoch is the leg clock: monotonic time since the leg was opened.
func (l *Leg) sinceEpoch() time.Duration { return time.Since(l.epoch) }
