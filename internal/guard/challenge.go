package guard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/media"
	"github.com/clearline/clearline/internal/prompts"
	"github.com/clearline/clearline/internal/screen"
)

// The challenge: clearline answers an unknown or withheld caller, asks for
// a name, records it, then rings the phone and plays "Call from <name>.
// Press 1 to accept, 2 to refuse, 3 to accept and always allow this caller,
// 9 to block this caller." A robocaller (silence, or speech that never
// pauses) never reaches the phone. Passing the challenge never trusts the
// caller by itself; only the person's key 3 does.

var (
	errSilent  = errors.New("caller said nothing")
	errMachine = errors.New("caller kept talking without a pause (a recording or machine)")
)

const (
	frameDur       = 20 * time.Millisecond
	speechDBFS     = -40.0                  // a frame louder than this is speech
	endPause       = 700 * time.Millisecond // silence that ends the name
	waitForSpeech  = 5 * time.Second
	keyWait        = 10 * time.Second
	announceRepeat = 2
)

type promptSet struct {
	ask, callFrom, pressKeys, refused []int16
}

func loadPrompts() (*promptSet, error) {
	var p promptSet
	for _, x := range []struct {
		dst  *[]int16
		name string
	}{{&p.ask, prompts.AskName}, {&p.callFrom, prompts.CallFrom}, {&p.pressKeys, prompts.PressKeys}, {&p.refused, prompts.CallerRefused}} {
		pcm, err := prompts.Load(x.name)
		if err != nil {
			return nil, fmt.Errorf("guard: %w", err)
		}
		*x.dst = pcm
	}
	p.ask = concat(p.ask, silence(200*time.Millisecond), prompts.Beep())
	return &p, nil
}

type challenge struct {
	g      *Guard
	call   *gateway.Call
	line   *screen.Line
	number string // the caller as screened: E.164 or "anonymous"
	caller *media.Leg
	name   []int16
}

// askName runs on the answered caller leg; true means ring the phone.
func (ch *challenge) askName(ctx context.Context, caller *media.Leg) (bool, error) {
	ch.caller = caller
	frames, cancel := caller.Tap()
	defer cancel()
	if err := caller.Play(ctx, ch.g.prompts.ask); err != nil {
		return false, fmt.Errorf("ask name: %w", err)
	}
	// Drop what the caller sent while the prompt played.
	for len(frames) > 0 {
		<-frames
	}
	name, err := recordName(ctx, frames, ch.g.nameTime)
	log := ch.g.log.With("call_id", ch.call.ID)
	if err != nil {
		log.Info("challenge failed", "reason", err)
		if errors.Is(err, errMachine) {
			_ = caller.Play(ctx, ch.g.prompts.refused)
		}
		return false, nil
	}
	log.Info("challenge: caller gave a name", "seconds", float64(len(name))/media.SampleRate)
	ch.name = name
	return true, nil
}

// recordName listens to the caller's frames: it waits for speech, keeps up
// to limit of it, and ends at the first pause. No speech at all is
// errSilent; speech that runs for twice the limit without a pause is
// errMachine; a hang-up ends ctx.
func recordName(ctx context.Context, frames <-chan []int16, limit time.Duration) ([]int16, error) {
	var name []int16
	var started bool
	var heard, quiet, keptQuiet time.Duration
	noSpeech := time.NewTimer(waitForSpeech)
	defer noSpeech.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-noSpeech.C:
			if !started {
				return nil, errSilent
			}
		case f, ok := <-frames:
			if !ok {
				return nil, media.ErrClosed
			}
			d := time.Duration(len(f)) * time.Second / media.SampleRate
			loud := dbfs(f) > speechDBFS
			if !started {
				if !loud {
					continue
				}
				started = true
			}
			heard += d
			if loud {
				quiet = 0
			} else {
				quiet += d
			}
			if heard <= limit {
				name = append(name, f...)
				if loud {
					keptQuiet = 0
				} else {
					keptQuiet += d
				}
			}
			if quiet >= endPause {
				return trimTail(name, keptQuiet), nil
			}
			if heard >= 2*limit {
				return nil, errMachine
			}
		}
	}
}

// announce runs on the phone's leg after it answered; true connects.
func (ch *challenge) announce(ctx context.Context, phone *media.Leg) (bool, error) {
	p := ch.g.prompts
	msg := concat(p.callFrom, silence(150*time.Millisecond), ch.name, silence(300*time.Millisecond), p.pressKeys)
	log := ch.g.log.With("call_id", ch.call.ID)
	for i := 0; i < announceRepeat; i++ {
		key, err := playUntilKey(ctx, phone, msg, keyWait)
		if err != nil {
			return false, err
		}
		switch key {
		case '1':
			log.Info("challenge: person accepted the call")
			return true, nil
		case '3':
			if n, ok := ch.parsedNumber(); ok && ch.line != nil {
				ch.line.AddTrusted(screen.Contact{Name: "added with key 3", Number: n})
				ch.listChanged("trusted")
				log.Info("challenge: person accepted and trusted the caller", "caller", ch.number)
			} else {
				log.Info("challenge: key 3 on a withheld caller: accepted, not trusted")
			}
			return true, nil
		case '2':
			log.Info("challenge: person refused the call")
			ch.refuseCaller(ctx)
			return false, nil
		case '9':
			if n, ok := ch.parsedNumber(); ok && ch.line != nil {
				ch.line.Block(n)
				ch.listChanged("blocked")
				log.Info("challenge: person blocked the caller", "caller", ch.number)
			} else {
				log.Info("challenge: key 9 on a withheld caller: refused (nothing to block)")
			}
			ch.refuseCaller(ctx)
			return false, nil
		case 0:
			// no key: say it again
		default:
			log.Info("challenge: unexpected key", "key", string(key))
		}
	}
	log.Info("challenge: no answer from the person")
	ch.refuseCaller(ctx)
	return false, nil
}

func (ch *challenge) listChanged(kind string) {
	if ch.g.onList != nil {
		ch.g.onList(ch.line.ID(), kind, ch.number, "the person, with a key after a challenge")
	}
}

func (ch *challenge) parsedNumber() (screen.Number, bool) {
	if ch.number == screen.Anonymous {
		var zero screen.Number
		return zero, false
	}
	n, err := ch.g.screener.Parser().Parse(ch.number)
	return n, err == nil
}

func (ch *challenge) refuseCaller(ctx context.Context) {
	if ch.caller != nil {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = ch.caller.Play(pctx, ch.g.prompts.refused)
	}
}

// playUntilKey plays msg to the leg and returns the first key pressed
// (during or up to wait after the message), or 0 if none.
func playUntilKey(ctx context.Context, leg *media.Leg, msg []int16, wait time.Duration) (rune, error) {
	digits := leg.Digits()
	for len(digits) > 0 {
		<-digits
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	played := make(chan error, 1)
	go func() { played <- leg.Play(pctx, msg) }()
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case d, ok := <-digits:
			if !ok {
				return 0, media.ErrClosed
			}
			cancel()
			<-played
			return d, nil
		case err := <-played:
			if err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				return 0, err
			}
			played = nil
			timer = time.After(wait)
		case <-timer:
			return 0, nil
		}
	}
}

func dbfs(f []int16) float64 {
	if len(f) == 0 {
		return -120
	}
	var sum float64
	for _, s := range f {
		x := float64(s) / 32768
		sum += x * x
	}
	if sum == 0 {
		return -120
	}
	return 10 * math.Log10(sum/float64(len(f)))
}

// trimTail drops the trailing silence kept at the end of a name, leaving
// 200 ms of it.
func trimTail(pcm []int16, quiet time.Duration) []int16 {
	drop := int((quiet - 200*time.Millisecond).Seconds() * media.SampleRate)
	if drop <= 0 || drop > len(pcm) {
		return pcm
	}
	return pcm[:len(pcm)-drop]
}

func silence(d time.Duration) []int16 { return make([]int16, int(d.Seconds()*media.SampleRate)) }

func concat(parts ...[]int16) []int16 {
	var out []int16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
