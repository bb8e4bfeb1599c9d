package media

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"
)

type copyFilter struct{}

func (copyFilter) Process(in, out []int16) { copy(out, in) }

// BenchmarkRelayPacket is the cost of one 20 ms packet crossing the relay:
// source check, parse, counters, forwarding (copy, transcode or
// decode-filter-encode), re-stamping and the sendto system call to the
// other far end. Only the receive system call is left out.
func BenchmarkRelayPacket(b *testing.B) {
	cases := []struct {
		name   string
		a, bc  Codec
		filter AudioFilter
		tap    bool
		noSend bool // the other leg has no remote: everything but stamping and sendto
	}{
		{"passthrough", PCMU, PCMU, nil, false, false},
		{"transcode", PCMU, PCMA, nil, false, false},
		{"filter", PCMU, PCMA, copyFilter{}, false, false},
		{"tap", PCMU, PCMU, nil, true, false},
		{"transcode-no-sendto", PCMU, PCMA, nil, false, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			al := newTestAllocator(b)
			a, bl := openLeg(b, al), openLeg(b, al)
			fa := newFarEnd(b)
			sink := newFarEnd(b) // never read: the kernel drops what overflows
			a.SetRemote(fa.addr(), []Codec{c.a}, 101)
			if !c.noSend {
				bl.SetRemote(sink.addr(), []Codec{c.bc}, 101)
			}
			r := NewRelay(a, bl, RelayOptions{Inactivity: time.Hour})
			r.SetFilter(SideA, c.filter)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- r.Run(ctx) }()
			defer func() { cancel(); <-done }()
			waitFor(b, "relay", func() bool { return a.sink.Load() != nil })
			if c.tap {
				frames, stop := a.Tap()
				defer stop()
				go func() {
					for range frames {
					}
				}()
			}
			pkt := make([]byte, rtpHeaderLen+FrameSamples)
			putRTPHeader(pkt, rtpHeader{pt: c.a.PT, ssrc: 1})
			copy(pkt[rtpHeaderLen:], payloadOf(c.a, tone(FrameSamples, 440, 9000)))
			src := fa.addr()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				binary.BigEndian.PutUint16(pkt[2:], uint16(i))
				binary.BigEndian.PutUint32(pkt[4:], uint32(i*FrameSamples))
				a.handle(pkt, src)
			}
			b.StopTimer()
			if a.Stats().PacketsIn == 0 || (!c.noSend && bl.Stats().PacketsOut == 0) {
				b.Fatal("nothing relayed")
			}
		})
	}
}

// BenchmarkUDPWrite is the bare sendto of a 172-byte packet on loopback,
// the floor under BenchmarkRelayPacket.
func BenchmarkUDPWrite(b *testing.B) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	sink := newFarEnd(b)
	dst := sink.addr()
	pkt := make([]byte, 172)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.WriteToUDPAddrPort(pkt, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStamp(b *testing.B) {
	s := newOutStream()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.stamp(segRelay|1, uint16(i), uint32(i*FrameSamples), FrameSamples, time.Duration(i)*20*time.Millisecond)
	}
}
