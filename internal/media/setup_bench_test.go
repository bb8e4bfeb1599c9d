package media

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// The benchmarks in this file measure what the media plane costs per call
// before and after the media flows: a call that sets up and ends without
// RTP pays all of it and nothing else.

// newBenchAllocator returns an allocator over 2000 ports above the
// kernel's ephemeral range (and the media range of bench/sipload's
// gateway), so that a load test running on the same machine does not
// exhaust it in the middle of a benchmark.
func newBenchAllocator(b *testing.B) *Allocator {
	b.Helper()
	base := 61000 + 2*rand.IntN(1000)
	a, err := NewAllocator(loopback, base, base+1999)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkLegOpenClose is one leg's life without media: binding its RTP
// and RTCP ports, starting its reader and letting it wait for the first
// packet (as it does in a call), ending it and closing the sockets.
func BenchmarkLegOpenClose(b *testing.B) {
	a := newBenchAllocator(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		l, err := a.Open(ctx)
		if err != nil {
			b.Fatal(err)
		}
		runtime.Gosched() // the reader starts and parks before Close
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSDP parses the offers of the two user agents the tests
// drive.
func BenchmarkParseSDP(b *testing.B) {
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"baresip", baresipOffer},
		{"sipp", sippOffer},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseSDP(c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchLogger is a logger like the gateway's: a real handler, lines at
// Info and above written (to nowhere).
func benchLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// BenchmarkNewRelay is joining two open legs with a relay and letting go
// of it: with a logger that already carries the call's attributes, with
// one the caller makes per call with With (what the gateway does), and
// with the call's attributes given as RelayOptions.LogAttrs.
func BenchmarkNewRelay(b *testing.B) {
	al := newBenchAllocator(b)
	a, bl := openLeg(b, al), openLeg(b, al)
	log := benchLogger()
	callLog := log.With("call_id", "bench")
	b.Run("logger", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewRelay(a, bl, RelayOptions{Inactivity: time.Hour, Logger: callLog}).Close()
		}
	})
	b.Run("with", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewRelay(a, bl, RelayOptions{Inactivity: time.Hour, Logger: log.With("call_id", "bench")}).Close()
		}
	})
	b.Run("logattrs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewRelay(a, bl, RelayOptions{Inactivity: time.Hour, Logger: log, LogAttrs: []slog.Attr{slog.String("call_id", "bench")}}).Close()
		}
	})
}

// BenchmarkLegSDP is the answer body a leg builds for an offer.
func BenchmarkLegSDP(b *testing.B) {
	l := openLeg(b, newBenchAllocator(b))
	codecs := []Codec{PCMU}
	b.ReportAllocs()
	for b.Loop() {
		l.SDP(codecs, DefaultEventPT, SendRecv)
	}
}

// BenchmarkCallMedia is everything the gateway asks of this package for a
// call that ends before any media: two legs, the offer and the answer
// parsed, both far ends set, one SDP body per leg, a relay run and stopped,
// both legs closed.
func BenchmarkCallMedia(b *testing.B) {
	al := newBenchAllocator(b)
	log := benchLogger()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		in, err := al.Open(ctx)
		if err != nil {
			b.Fatal(err)
		}
		out, err := al.Open(ctx)
		if err != nil {
			b.Fatal(err)
		}
		offer, err := ParseSDP(baresipOffer)
		if err != nil {
			b.Fatal(err)
		}
		out.SDP([]Codec{PCMU, PCMA}, DefaultEventPT, SendRecv)
		answer, err := ParseSDP(sippOffer)
		if err != nil {
			b.Fatal(err)
		}
		out.SetRemote(answer.Addr(), answer.Codecs, answer.EventPT())
		in.SetRemote(offer.Addr(), offer.Codecs, offer.EventPT())
		in.SDP(offer.Codecs[1:2], offer.EventPT(), SendRecv)
		r := NewRelay(in, out, RelayOptions{Inactivity: time.Hour, Logger: log.With("call_id", "bench")})
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		in.Close()
		out.Close()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
