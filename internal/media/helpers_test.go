package media

import (
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// waitLimit bounds how long a test waits for something that should happen
// (a packet, a goroutine ending). It is a failure bound, not a speed claim.
const waitLimit = 5 * time.Second

var loopback = netip.MustParseAddr("127.0.0.1")

// newTestAllocator returns an allocator over a random 200-port range below
// the kernel's ephemeral ports (busy ports are skipped).
func newTestAllocator(t testing.TB) *Allocator {
	t.Helper()
	base := 20000 + 2*rand.IntN(5000)
	a, err := NewAllocator(loopback, base, base+199)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// openLeg opens a leg that is closed when the test ends.
func openLeg(t testing.TB, a *Allocator) *Leg {
	t.Helper()
	l, err := a.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// farEnd is a plain UDP socket playing a phone or a provider.
type farEnd struct {
	t    testing.TB
	conn *net.UDPConn
	ssrc uint32
	seq  uint16
	ts   uint32
}

func newFarEnd(t testing.TB) *farEnd {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &farEnd{t: t, conn: c, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
}

func (f *farEnd) addr() netip.AddrPort { return f.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// sendTo sends one RTP packet (marshalled by pion/rtp, an independent
// implementation) and advances the far end's sequence number.
func (f *farEnd) sendTo(to netip.AddrPort, pt uint8, ts uint32, marker bool, payload []byte) {
	f.t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: f.seq, Timestamp: ts, SSRC: f.ssrc, Marker: marker}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		f.t.Fatal(err)
	}
	f.seq++
	if _, err := f.conn.WriteToUDPAddrPort(b, to); err != nil {
		f.t.Fatal(err)
	}
}

// sendAudio sends one 20 ms audio packet and advances the timestamp.
func (f *farEnd) sendAudio(to netip.AddrPort, pt uint8, payload []byte) {
	f.t.Helper()
	f.sendTo(to, pt, f.ts, false, payload)
	f.ts += uint32(len(payload))
}

// sendEvent sends the packets of one RFC 4733 key press: start (marker),
// one update and three end packets, all with the same timestamp.
func (f *farEnd) sendEvent(to netip.AddrPort, pt uint8, code uint8) {
	f.t.Helper()
	for i, d := range []uint16{160, 320, 480, 480, 480} {
		var p [4]byte
		putEvent(p[:], Event{Code: code, End: i >= 2, Volume: 10, Duration: d})
		f.sendTo(to, pt, f.ts, i == 0, p[:])
	}
	f.ts += 480
}

// recv returns the next RTP packet, or false after d without one.
func (f *farEnd) recv(d time.Duration) (rtp.Packet, bool) {
	f.t.Helper()
	buf := make([]byte, 2048)
	f.conn.SetReadDeadline(time.Now().Add(d))
	n, _, err := f.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return rtp.Packet{}, false
		}
		f.t.Fatal(err)
	}
	var p rtp.Packet
	if err := p.Unmarshal(buf[:n]); err != nil {
		f.t.Fatalf("received a packet that is not RTP: %v", err)
	}
	return p, true
}

// mustRecv returns the next RTP packet or fails the test.
func (f *farEnd) mustRecv() rtp.Packet {
	f.t.Helper()
	p, ok := f.recv(waitLimit)
	if !ok {
		f.t.Fatal("no packet arrived")
	}
	return p
}

// tone returns n samples of a sine at hz.
func tone(n int, hz, amp float64) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/SampleRate))
	}
	return pcm
}

func payloadOf(c Codec, pcm []int16) []byte {
	b := make([]byte, len(pcm))
	c.encode(b, pcm)
	return b
}

func randomPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return b
}

// checkGoroutines fails the test if goroutines started during it are still
// running when it ends (after its other cleanups: register it first).
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(waitLimit)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("%d goroutines leaked:\n%s", runtime.NumGoroutine()-before, mediaStacks(string(buf)))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// mediaStacks keeps the goroutine dumps that mention this package.
func mediaStacks(all string) string {
	var keep []string
	for _, g := range strings.Split(all, "\n\n") {
		if strings.Contains(g, "internal/media.") {
			keep = append(keep, g)
		}
	}
	return strings.Join(keep, "\n\n")
}
