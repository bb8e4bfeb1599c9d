package media

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// rig is a running relay between two legs, each facing a far end socket.
type rig struct {
	t      *testing.T
	a, b   *Leg
	fa, fb *farEnd
	r      *Relay
	runErr chan error
	cancel context.CancelFunc
}

type legSpec struct {
	codec   Codec
	eventPT uint8
}

func newRig(t *testing.T, specA, specB legSpec, opts RelayOptions) *rig {
	t.Helper()
	al := newTestAllocator(t)
	g := &rig{t: t, a: openLeg(t, al), b: openLeg(t, al), fa: newFarEnd(t), fb: newFarEnd(t), runErr: make(chan error, 1)}
	g.a.SetRemote(g.fa.addr(), []Codec{specA.codec}, specA.eventPT)
	g.b.SetRemote(g.fb.addr(), []Codec{specB.codec}, specB.eventPT)
	if opts.Inactivity == 0 {
		opts.Inactivity = time.Hour
	}
	g.r = NewRelay(g.a, g.b, opts)
	ctx, cancel := context.WithCancel(t.Context())
	g.cancel = cancel
	go func() { g.runErr <- g.r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-g.runErr
	})
	waitFor(t, "relay to attach", func() bool { return g.a.sink.Load() != nil && g.b.sink.Load() != nil })
	return g
}

// write sends one RTP packet without touching testing.T (usable from any
// goroutine).
func (f *farEnd) write(to netip.AddrPort, pt uint8, seq uint16, ts uint32, payload []byte) error {
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: f.ssrc}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		return err
	}
	_, err = f.conn.WriteToUDPAddrPort(b, to)
	return err
}

// pump sends 20 ms audio packets from f to dst every interval until the
// returned stop is called; stop returns how many were sent. f must not be
// used otherwise meanwhile.
func pump(f *farEnd, dst netip.AddrPort, pt uint8, payload []byte, every time.Duration) (stop func() int) {
	quit, done := make(chan struct{}), make(chan int)
	go func() {
		n := 0
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if f.write(dst, pt, f.seq, f.ts, payload) == nil {
				n++
			}
			f.seq++
			f.ts += uint32(len(payload))
			select {
			case <-quit:
				done <- n
				return
			case <-tick.C:
			}
		}
	}()
	return func() int { close(quit); return <-done }
}

// collector receives everything arriving at a far end in the background.
type collector struct {
	mu   sync.Mutex
	pkts []rtp.Packet
	at   []time.Time
	quit chan struct{}
	done chan struct{}
}

func collect(f *farEnd) *collector {
	c := &collector{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		buf := make([]byte, 2048)
		for {
			select {
			case <-c.quit:
				return
			default:
			}
			f.conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			n, _, err := f.conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					continue
				}
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			var p rtp.Packet
			if p.Unmarshal(append([]byte(nil), buf[:n]...)) != nil {
				continue
			}
			c.mu.Lock()
			c.pkts = append(c.pkts, p)
			c.at = append(c.at, time.Now())
			c.mu.Unlock()
		}
	}()
	return c
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pkts)
}

func (c *collector) waitCount(t testing.TB, n int) {
	t.Helper()
	waitFor(t, "packets at the far end", func() bool { return c.count() >= n })
}

// stop ends the collector and returns what it received.
func (c *collector) stop() []rtp.Packet {
	close(c.quit)
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pkts
}

// checkStream fails unless pkts are one continuous RTP stream: one SSRC,
// sequence numbers +1, timestamps advancing by whole 20 ms frames (events
// repeat their timestamp).
func checkStream(t *testing.T, pkts []rtp.Packet, eventPT uint8) {
	t.Helper()
	for i := 1; i < len(pkts); i++ {
		p, q := pkts[i-1].Header, pkts[i].Header
		if q.SSRC != p.SSRC {
			t.Fatalf("packet %d: SSRC %x after %x", i, q.SSRC, p.SSRC)
		}
		if q.SequenceNumber != p.SequenceNumber+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, q.SequenceNumber, p.SequenceNumber)
		}
		d := int32(q.Timestamp - p.Timestamp)
		sameEvent := eventPT != 0 && q.PayloadType == eventPT && p.PayloadType == eventPT && d == 0
		if !sameEvent && (d <= 0 || d%FrameSamples != 0) {
			t.Fatalf("packet %d: timestamp step %d", i, d)
		}
	}
}
