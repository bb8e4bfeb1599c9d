package media

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/media/g711"
	"github.com/pion/rtp"
)

func TestRelayPassthroughByteExact(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 101}, legSpec{PCMU, 101}, RelayOptions{})
	const n = 20
	var sentA, sentB [][]byte
	for range n {
		pa, pb := randomPayload(160), randomPayload(160)
		g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, pa)
		g.fb.sendAudio(g.b.LocalAddr(), PCMU.PT, pb)
		sentA, sentB = append(sentA, pa), append(sentB, pb)
	}
	for _, dir := range []struct {
		name string
		sent [][]byte
		to   *farEnd
		from *farEnd
	}{{"A to B", sentA, g.fb, g.fa}, {"B to A", sentB, g.fa, g.fb}} {
		t.Run(dir.name, func(t *testing.T) {
			var got []rtp.Packet
			for range n {
				got = append(got, dir.to.mustRecv())
			}
			checkStream(t, got, 0)
			for i, p := range got {
				if p.PayloadType != PCMU.PT || !bytes.Equal(p.Payload, dir.sent[i]) {
					t.Fatalf("packet %d: pt %d, payload differs", i, p.PayloadType)
				}
				if p.SSRC == dir.from.ssrc {
					t.Fatal("far end's SSRC leaked through: the stream is not clearline's own")
				}
			}
		})
	}
	if s := g.a.Stats(); s.PacketsIn != n || s.PacketsOut != n || s.BytesIn != n*172 {
		t.Errorf("A stats %+v", s)
	}
}

func TestRelayTranscode(t *testing.T) {
	checkGoroutines(t)
	tests := []struct {
		name     string
		from, to Codec
		table    func(dst, src []byte) int
	}{
		{"pcmu to pcma", PCMU, PCMA, g711.ULawToALaw},
		{"pcma to pcmu", PCMA, PCMU, g711.ALawToULaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, legSpec{tt.from, 0}, legSpec{tt.to, 0}, RelayOptions{})
			speech := tone(10*FrameSamples, 700, 20000)
			for i := range 10 {
				g.fa.sendAudio(g.a.LocalAddr(), tt.from.PT, payloadOf(tt.from, speech[i*FrameSamples:(i+1)*FrameSamples]))
			}
			var got []byte
			for range 10 {
				p := g.fb.mustRecv()
				if p.PayloadType != tt.to.PT {
					t.Fatalf("pt %d, want %d", p.PayloadType, tt.to.PT)
				}
				got = append(got, p.Payload...)
			}
			want := make([]byte, len(speech))
			tt.table(want, payloadOf(tt.from, speech))
			if !bytes.Equal(got, want) {
				t.Error("transcoded payload differs from the G.711 conversion table")
			}
			// And it is the same sound, within two quantisations.
			dec := make([]int16, len(got))
			tt.to.decode(dec, got)
			for i, s := range speech {
				if d := abs(int(dec[i]) - int(s)); d > 32+abs(int(s))/8 {
					t.Fatalf("sample %d: %d became %d", i, s, dec[i])
				}
			}
		})
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestRelayTelephoneEvents(t *testing.T) {
	checkGoroutines(t)
	tests := []struct {
		name      string
		evA, evB  uint8
		handler   func(rec *eventRecorder) EventHandler
		forwarded bool
	}{
		{"remapped to the other leg's type", 101, 96, nil, true},
		{"same type", 101, 101, nil, true},
		{"dropped when the other leg has none", 101, 0, nil, false},
		{"handler keeps them back", 101, 96, func(rec *eventRecorder) EventHandler { return rec.handler(false) }, false},
		{"handler lets them through", 101, 96, func(rec *eventRecorder) EventHandler { return rec.handler(true) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, legSpec{PCMU, tt.evA}, legSpec{PCMA, tt.evB}, RelayOptions{})
			rec := &eventRecorder{}
			if tt.handler != nil {
				g.r.SetEventHandler(SideA, tt.handler(rec))
			}
			g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, randomPayload(160))
			evTS := g.fa.ts
			g.fa.sendEvent(g.a.LocalAddr(), tt.evA, 11)
			g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, randomPayload(160))

			want := 2
			if tt.forwarded {
				want = 7
			}
			var got []rtp.Packet
			for range want {
				got = append(got, g.fb.mustRecv())
			}
			if p, ok := g.fb.recv(100 * time.Millisecond); ok {
				t.Fatalf("unexpected packet %+v", p.Header)
			}
			if tt.forwarded {
				checkStream(t, got, tt.evB)
				for i, p := range got[1:6] {
					ev, err := ParseEvent(p.Payload)
					if p.PayloadType != tt.evB || err != nil || ev.Code != 11 || ev.End != (i >= 2) {
						t.Errorf("event packet %d: pt %d %+v %v", i, p.PayloadType, ev, err)
					}
					if p.Marker != (i == 0) {
						t.Errorf("event packet %d: marker %v", i, p.Marker)
					}
				}
				if got[1].Timestamp != got[0].Timestamp+FrameSamples || got[6].Timestamp != got[1].Timestamp+480 {
					t.Errorf("event timestamps not continuous with the audio: %d %d %d", got[0].Timestamp, got[1].Timestamp, got[6].Timestamp)
				}
			} else {
				// No sequence gap for what clearline dropped on purpose; the
				// timestamps still show the time the event took.
				if got[0].PayloadType != PCMA.PT || got[1].PayloadType != PCMA.PT || got[1].SequenceNumber != got[0].SequenceNumber+1 || got[1].Timestamp != got[0].Timestamp+160+480 {
					t.Errorf("audio around a dropped event: %+v %+v", got[0].Header, got[1].Header)
				}
			}
			if tt.handler != nil {
				calls := rec.get()
				if len(calls) != 5 || calls[0].Code != 11 || calls[0].Timestamp != evTS || !calls[4].End {
					t.Errorf("handler saw %+v", calls)
				}
				if blocked := g.a.Stats().EventsBlocked; (blocked == 5) == tt.forwarded {
					t.Errorf("EventsBlocked = %d", blocked)
				}
			}
			// The leg's own digit channel is fed while relayed too.
			select {
			case d := <-g.a.Digits():
				if d != '#' {
					t.Errorf("digit %q", d)
				}
			case <-time.After(waitLimit):
				t.Error("no digit")
			}
		})
	}
}

type eventRecorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *eventRecorder) handler(forward bool) EventHandler {
	return func(ev Event) bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, ev)
		return forward
	}
}

func (r *eventRecorder) get() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

func TestRelaySourceLock(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, RelayOptions{})
	stranger := newFarEnd(t) // same IP, another port: only a NAT before the far end's first packet
	first, second := randomPayload(160), randomPayload(160)
	g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, first)
	for range 10 {
		stranger.sendAudio(g.a.LocalAddr(), PCMU.PT, bytes.Repeat([]byte{0x11}, 160))
	}
	g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, second)
	for _, want := range [][]byte{first, second} {
		if p := g.fb.mustRecv(); !bytes.Equal(p.Payload, want) {
			t.Fatal("a packet from an unexpected address reached the other leg")
		}
	}
	if p, ok := g.fb.recv(100 * time.Millisecond); ok {
		t.Fatalf("unexpected packet %+v", p.Header)
	}
	if s := g.a.Stats(); s.DroppedSource != 10 || s.PacketsIn != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestRelayRunEnds(t *testing.T) {
	checkGoroutines(t)
	tests := []struct {
		name     string
		opts     RelayOptions
		setup    func(g *rig) (cleanup func())
		end      func(g *rig)
		inactive bool
		mention  string
	}{
		{name: "no rtp at all", opts: RelayOptions{Inactivity: 200 * time.Millisecond}, inactive: true, mention: "either leg"},
		{name: "ctx cancelled", end: func(g *rig) { g.cancel() }},
		{name: "relay closed", end: func(g *rig) { g.r.Close() }},
		{name: "leg A closed", end: func(g *rig) { g.a.Close() }},
		{name: "leg B closed", end: func(g *rig) { g.b.Close() }},
		{
			name: "one leg silent too long",
			opts: RelayOptions{Inactivity: time.Hour, LegInactivity: 200 * time.Millisecond},
			setup: func(g *rig) func() {
				for range 3 { // B talks, then its far end dies
					g.fb.sendAudio(g.b.LocalAddr(), PCMU.PT, make([]byte, 160))
				}
				stop := pump(g.fa, g.a.LocalAddr(), PCMU.PT, make([]byte, 160), 20*time.Millisecond)
				return func() { stop() }
			},
			inactive: true, mention: "side B",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, tt.opts)
			if tt.setup != nil {
				defer tt.setup(g)()
			}
			if tt.end != nil {
				tt.end(g)
			}
			var err error
			select {
			case err = <-g.runErr:
				g.runErr <- err // for the rig's cleanup
			case <-time.After(waitLimit):
				t.Fatal("Run did not return")
			}
			if errors.Is(err, ErrInactive) != tt.inactive || (!tt.inactive && err != nil) {
				t.Fatalf("Run = %v", err)
			}
			if tt.mention != "" && !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not say %q", err, tt.mention)
			}
			if g.a.sink.Load() != nil || g.b.sink.Load() != nil {
				t.Error("legs still attached after Run returned")
			}
		})
	}
}

// With a 200 ms timeout, RTP every 20 ms keeps the relay up; hold keeps it
// up with no RTP at all; silence after either ends it.
func TestRelayActivityAndHold(t *testing.T) {
	checkGoroutines(t)
	const timeout = 200 * time.Millisecond
	stillRunning := func(t *testing.T, g *rig, d time.Duration) {
		t.Helper()
		select {
		case err := <-g.runErr:
			g.runErr <- err
			t.Fatalf("Run ended early: %v", err)
		case <-time.After(d):
		}
	}
	endsInactive := func(t *testing.T, g *rig) {
		t.Helper()
		select {
		case err := <-g.runErr:
			g.runErr <- err
			if !errors.Is(err, ErrInactive) {
				t.Fatalf("Run = %v", err)
			}
		case <-time.After(waitLimit):
			t.Fatal("Run did not end")
		}
	}
	t.Run("rtp keeps it up", func(t *testing.T) {
		g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, RelayOptions{Inactivity: timeout})
		stop := pump(g.fb, g.b.LocalAddr(), PCMU.PT, make([]byte, 160), 20*time.Millisecond)
		stillRunning(t, g, 3*timeout)
		stop()
		endsInactive(t, g)
	})
	t.Run("a leg that never sent is not timed out alone", func(t *testing.T) {
		// Early media: the callee talks, the caller sends nothing yet.
		g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, RelayOptions{Inactivity: time.Hour, LegInactivity: timeout})
		stop := pump(g.fb, g.b.LocalAddr(), PCMU.PT, make([]byte, 160), 20*time.Millisecond)
		defer stop()
		stillRunning(t, g, 3*timeout)
	})
	t.Run("hold pauses the clock", func(t *testing.T) {
		g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, RelayOptions{Inactivity: timeout})
		g.r.SetHold(SideB, true)
		stillRunning(t, g, 3*timeout)
		g.r.SetHold(SideB, false)
		endsInactive(t, g)
	})
}

func TestRelayBusyLeg(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, RelayOptions{})
	other := openLeg(t, newTestAllocator(t))
	second := NewRelay(other, g.b, RelayOptions{})
	if err := second.Run(t.Context()); !errors.Is(err, ErrLegBusy) {
		t.Errorf("second relay on a busy leg: %v", err)
	}
	if other.sink.Load() != nil {
		t.Error("failed Run left a leg attached")
	}
	if err := g.r.Run(t.Context()); err == nil || errors.Is(err, ErrLegBusy) {
		t.Errorf("running a relay twice: %v", err)
	}
}

func TestRelayGoroutinesEnd(t *testing.T) {
	checkGoroutines(t)
	al := newTestAllocator(t)
	a, err := al.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b, err := al.Open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fa, fb := newFarEnd(t), newFarEnd(t)
	a.SetRemote(fa.addr(), []Codec{PCMU}, 101)
	b.SetRemote(fb.addr(), []Codec{PCMA}, 101)
	r := NewRelay(a, b, RelayOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	tapA, _ := r.Tap(SideA)
	playErr := make(chan error, 1)
	go func() { playErr <- r.Play(ctx, SideB, make([]int16, 60*SampleRate)) }()
	stop := pump(fa, a.LocalAddr(), PCMU.PT, randomPayload(160), 10*time.Millisecond)
	<-tapA
	fb.mustRecv()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if err := <-playErr; !errors.Is(err, context.Canceled) {
		t.Errorf("Play = %v", err)
	}
	a.Close()
	b.Close()
	stop()
}

func TestSide(t *testing.T) {
	if SideA.Other() != SideB || SideB.Other() != SideA || SideA.String() != "A" || SideB.String() != "B" {
		t.Error("sides")
	}
}
