package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/zaf/g711"
)

// peer is a simulated SIP endpoint (the provider or the phone), built on
// diago: a different SIP user agent from clearline's, speaking real SIP and
// RTP over loopback.
type peer struct {
	name string
	port int
	ua   *sipgo.UserAgent
	dg   *diago.Diago
	tl   *timeline
	tone float64 // Hz of the tone this peer plays into every call

	mu       sync.Mutex
	incoming chan *incomingCall
	answer   bool // answer incoming calls (else reject with 486)
}

type incomingCall struct {
	from, to string
	at       time.Time
	heard    float64 // level of the far tone heard, dBFS
	ended    time.Time
}

// newPeer makes a peer that presents user (its From user, the caller ID)
// and listens on host:port.
func newPeer(name, user, host string, port int, tone float64, tl *timeline, log *slog.Logger) (*peer, error) {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(user), sipgo.WithUserAgentHostname(host))
	if err != nil {
		return nil, fmt.Errorf("%s: user agent: %w", name, err)
	}
	p := &peer{name: name, port: port, ua: ua, tl: tl, tone: tone, incoming: make(chan *incomingCall, 4), answer: true}
	p.dg = diago.NewDiago(ua, diago.WithLogger(log),
		diago.WithTransport(diago.Transport{Transport: "udp", BindHost: host, BindPort: port}))
	return p, nil
}

// serve answers incoming calls until ctx ends: ring, answer, play the tone
// and listen until the other side hangs up.
func (p *peer) serve(ctx context.Context) error {
	return p.dg.ServeBackground(ctx, func(d *diago.DialogServerSession) {
		in := &incomingCall{from: d.FromUser(), to: d.ToUser(), at: time.Now()}
		p.tl.say(p.name, "rings: call from %s to %s", in.from, in.to)
		p.mu.Lock()
		answer := p.answer
		p.mu.Unlock()
		if !answer {
			_ = d.Respond(486, "Busy Here", nil)
			p.tl.say(p.name, "is busy (486)")
			p.incoming <- in
			return
		}
		_ = d.Ringing()
		time.Sleep(300 * time.Millisecond)
		med, err := d.Answer(diago.AnswerOptions{})
		if err != nil {
			p.tl.say(p.name, "could not answer: %v", err)
			p.incoming <- in
			return
		}
		p.tl.say(p.name, "answers")
		in.heard = p.talk(d.Context(), med)
		in.ended = time.Now()
		p.tl.say(p.name, "heard the other side at %.0f dBFS; got BYE", in.heard)
		p.incoming <- in
	})
}

// talk plays the peer's tone and measures the far side's tone until ctx ends.
func (p *peer) talk(ctx context.Context, med *diago.DialogMedia) float64 {
	w, err := med.AudioWriter()
	if err != nil {
		return math.Inf(-1)
	}
	r, err := med.AudioReader()
	if err != nil {
		return math.Inf(-1)
	}
	go func() {
		frame := make([]int16, 160)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		n := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for i := range frame {
				frame[i] = int16(8000 * math.Sin(2*math.Pi*p.tone*float64(n)/8000))
				n++
			}
			if _, err := w.Write(encodePCMU(frame)); err != nil {
				return
			}
		}
	}()
	var sum float64
	var count int
	buf := make([]byte, 1500)
	for ctx.Err() == nil {
		n, err := r.Read(buf)
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				break
			}
			break
		}
		for _, b := range buf[:n] {
			s := float64(g711.DecodeUlawFrame(b)) / 32768
			sum += s * s
			count++
		}
	}
	if count == 0 {
		return math.Inf(-1)
	}
	return 10 * math.Log10(sum/float64(count))
}

// call dials target through clearline, talks for hold, then hangs up.
func (p *peer) call(ctx context.Context, target sip.Uri, user, pass string, hold time.Duration) (time.Duration, float64, error) {
	start := time.Now()
	d, med, err := p.dg.Invite(ctx, target, diago.InviteOptions{Username: user, Password: pass})
	if err != nil {
		return 0, 0, err
	}
	setup := time.Since(start)
	tctx, cancel := context.WithTimeout(d.Context(), hold)
	level := p.talk(tctx, med)
	cancel()
	hctx, hcancel := context.WithTimeout(ctx, 5*time.Second)
	defer hcancel()
	if err := d.Hangup(hctx); err != nil {
		return setup, level, fmt.Errorf("hang up: %w", err)
	}
	d.Close()
	return setup, level, nil
}

func encodePCMU(pcm []int16) []byte {
	out := make([]byte, len(pcm))
	for i, s := range pcm {
		out[i] = g711.EncodeUlawFrame(s)
	}
	return out
}
