package media

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/media/g711"
)

// waitFor polls cond until it holds or waitLimit passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestNewAllocatorRejects(t *testing.T) {
	tests := []struct {
		name     string
		ip       netip.Addr
		min, max int
	}{
		{"unspecified ip", netip.MustParseAddr("0.0.0.0"), 20000, 20100},
		{"invalid ip", netip.Addr{}, 20000, 20100},
		{"no pair", loopback, 20001, 20002},
		{"reversed", loopback, 20100, 20000},
		{"above 65535", loopback, 65534, 65536},
		{"zero", loopback, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewAllocator(tt.ip, tt.min, tt.max); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestAllocatorPorts(t *testing.T) {
	checkGoroutines(t)
	base := 20000 + 2*int(time.Now().UnixNano()%4000)
	a, err := NewAllocator(loopback, base+1, base+8) // odd start: pairs base+2, +4, +6 (+8 has no +9)
	if err != nil {
		t.Fatal(err)
	}
	// A port someone else holds is skipped.
	busy, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: base + 4})
	if err != nil {
		t.Skipf("port %d busy already: %v", base+4, err)
	}
	defer busy.Close()

	var legs []*Leg
	seen := map[uint16]bool{}
	for range 2 {
		l, err := a.Open(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		p := l.LocalAddr().Port()
		if p%2 != 0 || int(p) < base+2 || int(p) > base+6 || int(p) == base+4 || seen[p] {
			t.Fatalf("port %d (range %d-%d, %d busy, seen %v)", p, base+2, base+6, base+4, seen)
		}
		if l.LocalAddr().Addr() != loopback {
			t.Errorf("bound on %v", l.LocalAddr())
		}
		// The RTCP port above is held too.
		if c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(p) + 1}); err == nil {
			c.Close()
			t.Errorf("rtcp port %d not bound", p+1)
		}
		seen[p] = true
		legs = append(legs, l)
	}
	if _, err := a.Open(t.Context()); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("third open: %v, want ErrNoPorts", err)
	}
	if a.InUse() != 2 {
		t.Errorf("InUse = %d", a.InUse())
	}
	// Closing frees the port; round-robin hands out the other free pair
	// before it reuses the one just closed.
	first := legs[0].LocalAddr().Port()
	legs[0].Close()
	busy.Close()
	l, err := a.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if l.LocalAddr().Port() == first {
		t.Errorf("port %d reused at once", first)
	}
	l.Close()
	legs[1].Close()
	if a.InUse() != 0 {
		t.Errorf("InUse = %d after closing all", a.InUse())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := a.Open(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("open with cancelled ctx: %v", err)
	}
}

func TestLegPlay(t *testing.T) {
	checkGoroutines(t)
	tests := []struct {
		name  string
		codec Codec
		n     int
	}{
		{"pcma, last frame padded", PCMA, 500},
		{"pcmu, whole frames", PCMU, 480},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leg := openLeg(t, newTestAllocator(t))
			far := newFarEnd(t)
			leg.SetRemote(far.addr(), []Codec{{PT: 9, Name: "G722", ClockRate: 8000}, tt.codec}, 101)
			prompt := tone(tt.n, 440, 8000)
			if err := leg.Play(t.Context(), prompt); err != nil {
				t.Fatal(err)
			}
			want := payloadOf(tt.codec, append(prompt, make([]int16, (FrameSamples-tt.n%FrameSamples)%FrameSamples)...))
			var got []byte
			first := far.mustRecv()
			prev := first
			got = append(got, first.Payload...)
			if !first.Marker {
				t.Error("first packet of a prompt has no marker")
			}
			for len(got) < len(want) {
				p := far.mustRecv()
				if p.SSRC != first.SSRC || p.SequenceNumber != prev.SequenceNumber+1 || p.Timestamp != prev.Timestamp+FrameSamples || p.Marker {
					t.Errorf("packet %+v after %+v", p.Header, prev.Header)
				}
				if p.PayloadType != tt.codec.PT || len(p.Payload) != FrameSamples {
					t.Errorf("pt %d, %d bytes", p.PayloadType, len(p.Payload))
				}
				got = append(got, p.Payload...)
				prev = p
			}
			if !bytes.Equal(got, want) {
				t.Error("prompt payload differs from the encoded prompt")
			}
			if p, ok := far.recv(100 * time.Millisecond); ok {
				t.Errorf("extra packet %+v", p.Header)
			}
			if s := leg.Stats(); s.PacketsOut != uint64(len(want)/FrameSamples) {
				t.Errorf("PacketsOut = %d", s.PacketsOut)
			}
		})
	}
}

func TestLegPlayEnds(t *testing.T) {
	checkGoroutines(t)
	a := newTestAllocator(t)
	long := make([]int16, 60*SampleRate)

	t.Run("ctx cancelled", func(t *testing.T) {
		leg := openLeg(t, a)
		far := newFarEnd(t)
		leg.SetRemote(far.addr(), []Codec{PCMU}, 0)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- leg.Play(ctx, long) }()
		far.mustRecv()
		far.mustRecv()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Play = %v, want context.Canceled", err)
		}
	})
	t.Run("leg closed", func(t *testing.T) {
		leg := openLeg(t, a)
		far := newFarEnd(t)
		leg.SetRemote(far.addr(), []Codec{PCMU}, 0)
		done := make(chan error, 1)
		go func() { done <- leg.Play(t.Context(), long) }()
		far.mustRecv()
		leg.Close()
		if err := <-done; !errors.Is(err, ErrClosed) {
			t.Errorf("Play = %v, want ErrClosed", err)
		}
		if err := leg.Play(t.Context(), long); !errors.Is(err, ErrClosed) {
			t.Errorf("Play after Close = %v", err)
		}
	})
	t.Run("second prompt waits for the first", func(t *testing.T) {
		leg := openLeg(t, a)
		far := newFarEnd(t)
		leg.SetRemote(far.addr(), []Codec{PCMU}, 0)
		one, two := make([]int16, 3*FrameSamples), make([]int16, 3*FrameSamples)
		for i := range one {
			one[i], two[i] = 1000, -1000
		}
		errs := make(chan error, 2)
		go func() { errs <- leg.Play(t.Context(), one) }()
		first := far.mustRecv() // the first prompt has started
		go func() { errs <- leg.Play(t.Context(), two) }()
		order := []byte{first.Payload[0]}
		prev := first.SequenceNumber
		for range 5 {
			p := far.mustRecv()
			if p.SequenceNumber != prev+1 {
				t.Errorf("sequence %d after %d", p.SequenceNumber, prev)
			}
			prev = p.SequenceNumber
			order = append(order, p.Payload[0])
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		pos, neg := g711.EncodeULawSample(1000), g711.EncodeULawSample(-1000)
		if want := []byte{pos, pos, pos, neg, neg, neg}; !bytes.Equal(order, want) {
			t.Errorf("prompts interleaved: %x", order)
		}
	})
}

func TestLegDigits(t *testing.T) {
	checkGoroutines(t)
	leg := openLeg(t, newTestAllocator(t))
	far := newFarEnd(t)
	leg.SetRemote(far.addr(), []Codec{PCMU}, 96)
	for _, code := range []uint8{1, 11, 1, 16, 15} { // 1 # 1 flash D
		far.sendEvent(leg.LocalAddr(), 96, code)
		far.sendAudio(leg.LocalAddr(), PCMU.PT, randomPayload(160))
	}
	waitFor(t, "all packets", func() bool { return leg.Stats().PacketsIn == 5*6 })
	var got []rune
	for len(leg.Digits()) > 0 {
		got = append(got, <-leg.Digits())
	}
	if string(got) != "1#1D" {
		t.Errorf("digits %q, want \"1#1D\"", string(got))
	}
}

func TestLegRecordAndTap(t *testing.T) {
	checkGoroutines(t)
	leg := openLeg(t, newTestAllocator(t))
	far := newFarEnd(t)
	leg.SetRemote(far.addr(), []Codec{PCMA}, 0)
	speech := tone(25*FrameSamples, 300, 12000)

	frames, cancel := leg.Tap()
	defer cancel()
	rec := make(chan []int16, 1)
	recErr := make(chan error, 1)
	go func() {
		pcm, err := leg.Record(t.Context(), 400*time.Millisecond)
		rec <- pcm
		recErr <- err
	}()
	waitFor(t, "record to subscribe", func() bool { return leg.deliver.n.Load() == 2 })
	for i := range 25 {
		far.sendAudio(leg.LocalAddr(), PCMA.PT, payloadOf(PCMA, speech[i*FrameSamples:(i+1)*FrameSamples]))
	}
	var want []int16
	for _, b := range payloadOf(PCMA, speech) {
		want = append(want, g711.DecodeALawSample(b))
	}
	got := <-rec
	if err := <-recErr; err != nil {
		t.Fatal(err)
	}
	if len(got) != 3200 || !equalPCM(got, want[:3200]) {
		t.Fatalf("recorded %d samples, differing from the decoded audio", len(got))
	}
	var tapped []int16
	for len(tapped) < len(want) {
		select {
		case f := <-frames:
			tapped = append(tapped, f...)
		case <-time.After(waitLimit):
			t.Fatalf("tap delivered %d samples", len(tapped))
		}
	}
	if !equalPCM(tapped, want) {
		t.Error("tapped audio differs from the decoded audio")
	}
}

func equalPCM(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLegTapDropsWhenSlow(t *testing.T) {
	checkGoroutines(t)
	leg := openLeg(t, newTestAllocator(t))
	far := newFarEnd(t)
	leg.SetRemote(far.addr(), []Codec{PCMU}, 0)
	slow, cancel := leg.Tap() // never read
	defer cancel()
	fast, cancelFast := leg.Tap()
	defer cancelFast()
	const n = TapBuffer + 30
	got := 0
	for range n {
		far.sendAudio(leg.LocalAddr(), PCMU.PT, randomPayload(160))
		// A subscriber that keeps up misses nothing while the slow one is full.
		select {
		case <-fast:
			got++
		case <-time.After(waitLimit):
			t.Fatalf("fast tap starved after %d frames", got)
		}
	}
	waitFor(t, "all packets", func() bool { return leg.Stats().PacketsIn == n })
	if s := leg.Stats(); s.TapDrops != n-TapBuffer {
		t.Errorf("TapDrops = %d, want %d", s.TapDrops, n-TapBuffer)
	}
	if len(slow) != TapBuffer {
		t.Errorf("slow tap holds %d frames", len(slow))
	}
	cancel()
	for range slow { // cancel closes the channel
	}
}

func TestLegSourceLock(t *testing.T) {
	checkGoroutines(t)
	a := newTestAllocator(t)
	sdpEnd, nat, stranger := newFarEnd(t), newFarEnd(t), newFarEnd(t)
	tests := []struct {
		name       string
		remote     netip.AddrPort
		senders    []*farEnd // in order, one packet each
		accepted   uint64
		dropped    uint64
		wantRemote netip.AddrPort // where the leg sends afterwards
	}{
		{"sdp address accepted, others dropped", sdpEnd.addr(), []*farEnd{sdpEnd, stranger, nat}, 1, 2, sdpEnd.addr()},
		{"nat port learnt, then locked", sdpEnd.addr(), []*farEnd{nat, stranger, nat}, 2, 1, nat.addr()},
		{"sdp address wins over a learnt port", sdpEnd.addr(), []*farEnd{nat, sdpEnd, nat}, 2, 1, sdpEnd.addr()},
		{"hold: everything dropped", netip.AddrPortFrom(netip.IPv4Unspecified(), sdpEnd.addr().Port()), []*farEnd{sdpEnd, nat}, 0, 2, netip.AddrPortFrom(netip.IPv4Unspecified(), sdpEnd.addr().Port())},
		{"other ip", netip.MustParseAddrPort("192.0.2.1:4000"), []*farEnd{sdpEnd}, 0, 1, netip.MustParseAddrPort("192.0.2.1:4000")},
		{"no remote yet", netip.AddrPort{}, []*farEnd{sdpEnd}, 0, 1, netip.AddrPort{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leg := openLeg(t, a)
			if tt.remote.IsValid() {
				leg.SetRemote(tt.remote, []Codec{PCMU}, 0)
			}
			for _, s := range tt.senders {
				s.sendAudio(leg.LocalAddr(), PCMU.PT, randomPayload(160))
			}
			waitFor(t, "packets counted", func() bool {
				s := leg.Stats()
				return s.PacketsIn+s.DroppedSource == uint64(len(tt.senders))
			})
			if s := leg.Stats(); s.PacketsIn != tt.accepted || s.DroppedSource != tt.dropped {
				t.Errorf("accepted %d dropped %d, want %d %d", s.PacketsIn, s.DroppedSource, tt.accepted, tt.dropped)
			}
			if leg.Remote() != tt.wantRemote {
				t.Errorf("Remote = %v, want %v", leg.Remote(), tt.wantRemote)
			}
			// The same SDP address again (a session refresh) keeps what was learnt.
			if tt.remote.IsValid() {
				leg.SetRemote(tt.remote, []Codec{PCMU}, 0)
				if leg.Remote() != tt.wantRemote {
					t.Errorf("after re-INVITE Remote = %v", leg.Remote())
				}
			}
		})
	}
}

func TestLegDropsBadPackets(t *testing.T) {
	checkGoroutines(t)
	leg := openLeg(t, newTestAllocator(t))
	far := newFarEnd(t)
	leg.SetRemote(far.addr(), []Codec{PCMU}, 101)
	send := func(b []byte) {
		if _, err := far.conn.WriteToUDPAddrPort(b, leg.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	send([]byte("not rtp at all"))
	send([]byte{0x80, 0, 0})
	far.sendTo(leg.LocalAddr(), 101, 0, true, []byte{1, 2}) // short event
	far.sendTo(leg.LocalAddr(), 18, 0, false, randomPayload(20))
	far.sendTo(leg.LocalAddr(), 96, 0, false, []byte{1, 0, 0, 160}) // event under a type not negotiated
	far.sendTo(leg.LocalAddr(), PTComfortNoise, 0, false, []byte{40})
	far.sendAudio(leg.LocalAddr(), PCMA.PT, randomPayload(160)) // the other G.711 law is still audio
	waitFor(t, "all packets", func() bool {
		s := leg.Stats()
		return s.DroppedMalformed+s.DroppedPT+s.ComfortNoise+s.PacketsIn >= 7+4
	})
	s := leg.Stats()
	if s.DroppedMalformed != 3 || s.DroppedPT != 2 || s.ComfortNoise != 1 || s.PacketsIn != 5 {
		t.Errorf("stats %+v", s)
	}
	if s.LastPacket.IsZero() {
		t.Error("LastPacket not set")
	}
}

func TestLegSDPVersion(t *testing.T) {
	leg := openLeg(t, newTestAllocator(t))
	origin := regexp.MustCompile(`o=clearline (\d+) (\d+) IN IP4 127\.0\.0\.1`)
	parse := func(b []byte) (string, string) {
		m := origin.FindSubmatch(b)
		if m == nil {
			t.Fatalf("no origin in\n%s", b)
		}
		return string(m[1]), string(m[2])
	}
	id1, v1 := parse(leg.SDP([]Codec{PCMU}, 101, SendRecv))
	id2, v2 := parse(leg.SDP([]Codec{PCMU}, 101, SendRecv))
	id3, v3 := parse(leg.SDP([]Codec{PCMU}, 101, RecvOnly))
	id4, v4 := parse(leg.SDP([]Codec{PCMU}, 101, RecvOnly))
	if id1 != id2 || id2 != id3 || id3 != id4 {
		t.Errorf("session id changed: %s %s %s %s", id1, id2, id3, id4)
	}
	if v1 != "1" || v2 != "1" || v3 != "2" || v4 != "2" {
		t.Errorf("versions %s %s %s %s, want 1 1 2 2", v1, v2, v3, v4)
	}
	sd, err := ParseSDP(leg.SDP([]Codec{PCMA}, 0, ""))
	if err != nil || sd.Addr() != leg.LocalAddr() {
		t.Errorf("leg SDP parses to %+v, %v", sd, err)
	}
}

func TestLegCloseReleasesEverything(t *testing.T) {
	checkGoroutines(t)
	a := newTestAllocator(t)
	leg, err := a.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	far := newFarEnd(t)
	leg.SetRemote(far.addr(), []Codec{PCMU}, 101)
	frames, _ := leg.Tap()
	if err := leg.Close(); err != nil {
		t.Fatal(err)
	}
	if err := leg.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, ok := <-frames; ok {
		t.Error("tap still open")
	}
	if _, ok := <-leg.Digits(); ok {
		t.Error("Digits still open")
	}
	if late, _ := leg.Tap(); late != nil {
		if _, ok := <-late; ok {
			t.Error("tap after Close is open")
		}
	}
	if a.InUse() != 0 {
		t.Errorf("port still allocated")
	}
	// The port is really closed: the far end's packets go nowhere.
	far.sendAudio(leg.LocalAddr(), PCMU.PT, randomPayload(160))
	if s := leg.Stats(); s.PacketsIn != 0 {
		t.Errorf("closed leg received %d packets", s.PacketsIn)
	}
}
