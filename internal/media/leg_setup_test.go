package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLegPortsHeldUntilClose checks that a leg holds both its RTP port and
// the RTCP port above it while it is open, and that Close frees both.
func TestLegPortsHeldUntilClose(t *testing.T) {
	checkGoroutines(t)
	leg, err := newTestAllocator(t).Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rtp := int(leg.LocalAddr().Port())
	bind := func(port int) error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err == nil {
			c.Close()
		}
		return err
	}
	for _, p := range []int{rtp, rtp + 1} {
		if bind(p) == nil {
			t.Errorf("port %d free while the leg is open", p)
		}
	}
	if err := leg.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int{rtp, rtp + 1} {
		if err := bind(p); err != nil {
			t.Errorf("port %d still held after Close: %v", p, err)
		}
	}
}

// syncBuffer is a log destination written by a leg's reader and read by
// the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// line returns the first line containing msg, or "".
func (s *syncBuffer) line(msg string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range strings.Lines(s.b.String()) {
		if strings.Contains(l, msg) {
			return l
		}
	}
	return ""
}

// TestLogAttrs checks that the attributes legs and relays add to their
// lines (without slog's With) come out in the order With would give:
// the logger's own, the relay's LogAttrs, side, local, then the line's.
func TestLogAttrs(t *testing.T) {
	checkGoroutines(t)
	var buf syncBuffer
	base := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{AddSource: true}))
	port := 20000 + 2*rand.IntN(5000)
	al, err := NewAllocator(loopback, port, port+199, WithLogger(base.With("layer", "media")))
	if err != nil {
		t.Fatal(err)
	}
	a, b := openLeg(t, al), openLeg(t, al)
	far, stranger := newFarEnd(t), newFarEnd(t)
	for _, l := range []*Leg{a, b} {
		// Latch the far end's address, so that another port on the same
		// IP is dropped rather than learnt.
		l.SetRemote(far.addr(), []Codec{PCMU}, 0)
		far.sendAudio(l.LocalAddr(), PCMU.PT, randomPayload(160))
		waitFor(t, "latch", func() bool { return l.Stats().PacketsIn == 1 })
	}

	const dropped = "rtp from unexpected source dropped"
	stranger.sendAudio(a.LocalAddr(), PCMU.PT, randomPayload(160))
	waitFor(t, "leg line", func() bool { return buf.line(dropped) != "" })
	want := fmt.Sprintf(`"msg":%q,"layer":"media","local":%q,"source":%q,"expected":%q,"suppressed":0}`,
		dropped, a.LocalAddr().String(), stranger.addr().String(), far.addr().String())
	if got := buf.line(dropped); !strings.Contains(got, want) {
		t.Errorf("alone, a leg logged\n%s want it to contain\n%s", got, want)
	}
	if got := buf.line(dropped); !strings.Contains(got, `leg_recv.go"`) {
		t.Errorf("source of the line is not the leg's reader: %s", got)
	}

	buf.mu.Lock()
	buf.b.Reset()
	buf.mu.Unlock()
	r := NewRelay(a, b, RelayOptions{
		Inactivity: 50 * time.Millisecond,
		Logger:     base.With("call_id", "c1"),
		LogAttrs:   []slog.Attr{slog.String("trunk", "t1")},
	})
	stranger.sendAudio(b.LocalAddr(), PCMU.PT, randomPayload(160))
	waitFor(t, "relayed leg line", func() bool { return buf.line(dropped) != "" })
	want = fmt.Sprintf(`"msg":%q,"call_id":"c1","trunk":"t1","side":"B","local":%q,"source":%q,`,
		dropped, b.LocalAddr().String(), stranger.addr().String())
	if got := buf.line(dropped); !strings.Contains(got, want) {
		t.Errorf("in a relay, a leg logged\n%s want it to contain\n%s", got, want)
	}
	if err := r.Run(context.Background()); !errors.Is(err, ErrInactive) {
		t.Fatalf("Run = %v, want ErrInactive", err)
	}
	want = `"msg":"rtp inactivity","call_id":"c1","trunk":"t1","error":`
	if got := buf.line("rtp inactivity"); !strings.Contains(got, want) {
		t.Errorf("the relay logged\n%s want it to contain\n%s", got, want)
	}
}
