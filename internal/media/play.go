package media

import (
	"context"
	"fmt"
	"time"
)

// frameInterval is the packet time of prompts.
const frameInterval = 20 * time.Millisecond

// maxLate is how far a prompt may fall behind its schedule (a stalled
// machine) before the schedule restarts instead of catching up in a burst.
const maxLate = 3 * frameInterval

// Play sends pcm (8 kHz mono 16-bit) to the far end in the leg's codec, one
// 20 ms packet every 20 ms, and returns when it has been played (one frame
// time after the last packet), when ctx ends (ctx's error) or when the leg
// closes (ErrClosed). A last partial frame is padded with silence.
//
// While a prompt plays, audio and events a Relay would send to this leg
// are dropped: the prompt replaces them, and the relay resumes afterwards
// in the same RTP stream (sequence numbers and timestamps continue). The
// leg keeps receiving meanwhile. Prompts on one leg play one after another:
// a second Play waits for the first.
func (l *Leg) Play(ctx context.Context, pcm []int16) error {
	sem := l.playLock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("play: %w", ctx.Err())
	case <-l.done:
		return fmt.Errorf("play: %w", ErrClosed)
	}
	defer func() { <-sem }()
	l.playing.Store(true)
	defer l.playing.Store(false)
	l.playSeq++
	seg := segPrompt | l.playSeq&0xffffffff

	var pkt [rtpHeaderLen + FrameSamples]byte
	frames := (len(pcm) + FrameSamples - 1) / FrameSamples
	timer := time.NewTimer(0)
	defer timer.Stop()
	next := time.Now()
	for i := 0; i <= frames; i++ {
		select {
		case <-timer.C:
		case <-ctx.Done():
			return fmt.Errorf("play: %w", ctx.Err())
		case <-l.done:
			return fmt.Errorf("play: %w", ErrClosed)
		}
		if i == frames {
			return nil
		}
		codec := l.remote.Load().codec
		body := pkt[rtpHeaderLen:]
		n := codec.encode(body, pcm[i*FrameSamples:min((i+1)*FrameSamples, len(pcm))])
		for j := n; j < len(body); j++ {
			body[j] = codec.silenceByte()
		}
		in := rtpHeader{seq: uint16(i), ts: uint32(i * FrameSamples)}
		l.send(seg, in, FrameSamples, codec.PT, pkt[:], false)

		next = next.Add(frameInterval)
		wait := time.Until(next)
		if wait < -maxLate {
			next, wait = time.Now(), 0
		}
		timer.Reset(max(wait, 0))
	}
	return nil
}

// playLock returns the semaphore that plays prompts one at a time, made by
// the first Play: most legs never play one.
func (l *Leg) playLock() chan struct{} {
	l.sendMu.Lock()
	defer l.sendMu.Unlock()
	if l.playSem == nil {
		l.playSem = make(chan struct{}, 1)
	}
	return l.playSem
}
