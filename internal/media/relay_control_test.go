package media

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/media/g711"
	"github.com/pion/rtp"
)

// A prompt into B replaces what A sends, B's stream stays one continuous
// RTP stream across relay -> prompt -> relay, and B -> A keeps flowing.
func TestRelayPlayContinuity(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 101}, legSpec{PCMA, 101}, RelayOptions{})
	relayed := bytes.Repeat([]byte{g711.EncodeULawSample(-3000)}, 160)
	atB, atA := collect(g.fb), collect(g.fa)
	stopA := pump(g.fa, g.a.LocalAddr(), PCMU.PT, relayed, 20*time.Millisecond)
	stopB := pump(g.fb, g.b.LocalAddr(), PCMA.PT, bytes.Repeat([]byte{0x55}, 160), 20*time.Millisecond)
	atB.waitCount(t, 5)

	prompt := make([]int16, 10*FrameSamples)
	for i := range prompt {
		prompt[i] = 5000
	}
	beforeA := atA.count()
	if err := g.r.Play(t.Context(), SideB, prompt); err != nil {
		t.Fatal(err)
	}
	duringA := atA.count() - beforeA
	n := atB.count()
	atB.waitCount(t, n+5)
	stopA()
	stopB()
	gotB, _ := atB.stop(), atA.stop()

	checkStream(t, gotB, 0)
	promptByte := g711.EncodeALawSample(5000)
	var kinds []byte // r: relayed, p: prompt
	for _, p := range gotB {
		switch {
		case p.PayloadType == PCMA.PT && p.Payload[0] == promptByte:
			kinds = append(kinds, 'p')
		case p.PayloadType == PCMA.PT && p.Payload[0] == toALaw(relayed)[0]:
			kinds = append(kinds, 'r')
		default:
			t.Fatalf("unexpected packet pt %d %x", p.PayloadType, p.Payload[:4])
		}
	}
	if k := string(kinds); !strings.Contains(k, "r"+strings.Repeat("p", 10)+"r") || strings.Count(k, "p") != 10 {
		t.Errorf("B heard %s, want relayed audio, 10 prompt frames, relayed audio", k)
	}
	// The far end can tell a new talkspurt: the first prompt packet and the
	// first relayed packet after it carry the marker.
	i := strings.Index(string(kinds), "p")
	if !gotB[i].Marker || !gotB[i+10].Marker {
		t.Error("no marker at the source switches")
	}
	if duringA < 5 {
		t.Errorf("only %d packets reached A while B heard the prompt", duringA)
	}
}

func TestRelayMute(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 101}, legSpec{PCMA, 101}, RelayOptions{})
	speech := randomPayload(160)
	send := func() { g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, speech) }

	send()
	var got []rtp.Packet
	got = append(got, g.fb.mustRecv())
	g.r.Mute(SideB, true)
	send()
	g.fa.sendEvent(g.a.LocalAddr(), 101, 5) // keys do not reach a muted leg
	send()
	got = append(got, g.fb.mustRecv(), g.fb.mustRecv())
	// B -> A is not muted.
	g.fb.sendAudio(g.b.LocalAddr(), PCMA.PT, speech)
	if p := g.fa.mustRecv(); !bytes.Equal(p.Payload, toULaw(speech)) {
		t.Error("the other direction was changed")
	}
	g.r.Mute(SideB, false)
	send()
	got = append(got, g.fb.mustRecv())
	if p, ok := g.fb.recv(100 * time.Millisecond); ok {
		t.Fatalf("unexpected packet %+v", p.Header)
	}
	if !bytes.Equal(got[0].Payload, toALaw(speech)) || !bytes.Equal(got[3].Payload, toALaw(speech)) {
		t.Error("unmuted audio changed")
	}
	for _, p := range got[1:3] {
		if !bytes.Equal(p.Payload, bytes.Repeat([]byte{g711.ALawSilence}, 160)) {
			t.Errorf("muted packet carries %x", p.Payload[:8])
		}
	}
	if seq := got[2].SequenceNumber - got[1].SequenceNumber; seq != 1 {
		t.Errorf("muted stream sequence step %d", seq)
	}
}

func toALaw(u []byte) []byte {
	out := make([]byte, len(u))
	g711.ULawToALaw(out, u)
	return out
}

func toULaw(a []byte) []byte {
	out := make([]byte, len(a))
	g711.ALawToULaw(out, a)
	return out
}

type negate struct {
	mu    sync.Mutex
	calls int
}

func (n *negate) Process(in, out []int16) {
	n.mu.Lock()
	n.calls++
	n.mu.Unlock()
	for i, s := range in {
		out[i] = -s
	}
}

func TestRelayFilter(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, RelayOptions{})
	f := &negate{}
	g.r.SetFilter(SideA, f)
	speech := tone(FrameSamples, 500, 10000)
	payload := payloadOf(PCMU, speech)
	g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, payload)
	p := g.fb.mustRecv()
	dec := make([]int16, 160)
	PCMU.decode(dec, payload)
	for i := range dec {
		dec[i] = -dec[i]
	}
	if !bytes.Equal(p.Payload, payloadOf(PCMU, dec)) {
		t.Error("filtered audio is not the filter's output")
	}
	g.r.SetFilter(SideA, nil)
	g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, payload)
	if p := g.fb.mustRecv(); !bytes.Equal(p.Payload, payload) {
		t.Error("audio changed after the filter was removed")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls != 1 {
		t.Errorf("filter called %d times", f.calls)
	}
	// The other direction was never filtered.
	g.fb.sendAudio(g.b.LocalAddr(), PCMU.PT, payload)
	if p := g.fa.mustRecv(); !bytes.Equal(p.Payload, payload) {
		t.Error("B -> A was filtered")
	}
}

func TestRelayTapNeverBlocks(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 0}, legSpec{PCMU, 0}, RelayOptions{})
	frames, cancel := g.r.Tap(SideA) // never read
	defer cancel()
	const n = TapBuffer + 20
	for range n {
		g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, randomPayload(160))
		g.fb.mustRecv() // every packet still crosses
	}
	if s := g.a.Stats(); s.TapDrops != 20 {
		t.Errorf("TapDrops = %d, want 20", s.TapDrops)
	}
	if len(frames) != TapBuffer {
		t.Errorf("tap holds %d", len(frames))
	}
}

// After hang-up the line is clear: whatever the far side keeps sending,
// nothing reaches the other side once Close has returned.
func TestRelayNothingAfterClose(t *testing.T) {
	checkGoroutines(t)
	tests := []struct {
		name  string
		close func(g *rig)
	}{
		{"both legs", func(g *rig) { g.a.Close(); g.b.Close() }},
		{"the sending side's leg", func(g *rig) { g.a.Close() }},
		{"the receiving side's leg", func(g *rig) { g.b.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, legSpec{PCMU, 101}, legSpec{PCMU, 101}, RelayOptions{})
			atB := collect(g.fb)
			stop := pump(g.fa, g.a.LocalAddr(), PCMU.PT, randomPayload(160), 5*time.Millisecond)
			atB.waitCount(t, 5)
			tt.close(g)
			sentBeforeClose := g.b.Stats().PacketsOut
			time.Sleep(300 * time.Millisecond) // the far side keeps sending meanwhile
			sentByFar := stop()
			got := atB.stop()
			if uint64(len(got)) != sentBeforeClose || g.b.Stats().PacketsOut != sentBeforeClose {
				t.Errorf("phone side got %d packets, %d were sent before Close (now %d); far side sent %d",
					len(got), sentBeforeClose, g.b.Stats().PacketsOut, sentByFar)
			}
			if sentByFar <= len(got) {
				t.Errorf("the far side sent only %d packets", sentByFar)
			}
		})
	}
}

// A handler may close its own leg (the guard hanging up on a key press):
// Close does not wait for the reader that is running the handler, and
// nothing is forwarded afterwards.
func TestRelayCloseFromHandler(t *testing.T) {
	checkGoroutines(t)
	g := newRig(t, legSpec{PCMU, 101}, legSpec{PCMU, 101}, RelayOptions{})
	closed := make(chan error, 1)
	g.r.SetEventHandler(SideA, func(Event) bool {
		closed <- g.a.Close()
		return true
	})
	g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, randomPayload(160))
	g.fb.mustRecv()
	g.fa.sendEvent(g.a.LocalAddr(), 101, 3)
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Close from the handler did not return")
	}
	g.fa.sendAudio(g.a.LocalAddr(), PCMU.PT, randomPayload(160))
	if p, ok := g.fb.recv(200 * time.Millisecond); ok {
		t.Fatalf("packet %+v forwarded after Close", p.Header)
	}
}
