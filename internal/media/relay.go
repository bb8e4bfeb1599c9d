package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Relay errors.
var (
	// ErrInactive ends Run when no RTP has arrived for the configured time:
	// the far ends are gone and the SIP layer should hang up both legs.
	ErrInactive = errors.New("rtp inactivity")
	// ErrLegBusy is returned by Run when a leg is already in a running relay.
	ErrLegBusy = errors.New("media leg already relayed")
)

// DefaultInactivity is the RTP inactivity timeout when RelayOptions leaves
// it zero.
const DefaultInactivity = 30 * time.Second

// Side names a relay's legs: A is the first leg given to NewRelay.
type Side int

// The two sides of a relay.
const (
	SideA Side = 0
	SideB Side = 1
)

// Other returns the opposite side.
func (s Side) Other() Side { return 1 - s }

func (s Side) String() string {
	if s == SideA {
		return "A"
	}
	return "B"
}

// AudioFilter processes each decoded frame travelling from one leg before
// it is encoded towards the other. in and out have the same length
// (normally 160 samples, 20 ms at 8 kHz); out must be fully written. It is
// called on the media path: it must not block and should not allocate.
// The keypad guard suppresses in-band DTMF here.
type AudioFilter interface {
	Process(in, out []int16)
}

// EventHandler is called for each RFC 4733 packet travelling from one leg
// (every update and repeated end packet; Event.Timestamp tells events
// apart) and returns whether to forward it. It runs on the media path and
// must not block.
type EventHandler func(ev Event) (forward bool)

// RelayOptions configures a Relay.
type RelayOptions struct {
	// Inactivity ends Run with ErrInactive when neither leg has received RTP
	// for this long (DefaultInactivity when zero). The clock pauses while
	// either leg is on hold (SetHold) and restarts when hold ends.
	Inactivity time.Duration
	// LegInactivity, when positive, also ends Run when one leg alone has
	// stopped sending for this long: a far end that died without hanging up
	// while the other keeps talking. It applies only to a leg that has sent
	// RTP at least once (a caller often sends nothing during early media),
	// and pauses with hold like Inactivity.
	LegInactivity time.Duration
	// Logger receives the relay's log lines; both legs log through it too
	// (with side=A/B). Nil keeps the legs' loggers and logs nothing.
	Logger *slog.Logger
	// LogAttrs are put on every line the relay and its legs log, after the
	// Logger's own and before side (for example call_id). Unlike
	// Logger.With, which clones the handler for every call, they cost
	// nothing until a line is written. The relay keeps the slice: do not
	// modify it afterwards.
	LogAttrs []slog.Attr
}

// Relay joins two legs: while Run runs, audio and telephone-events from
// each leg are forwarded to the other, transcoded and re-stamped into that
// leg's own RTP stream. Control methods may be called at any time, before
// or during Run, from any goroutine.
type Relay struct {
	legs   [2]*Leg
	dirs   [2]direction // dirs[s] carries what side s sends
	opts   RelayOptions
	log    lineLog    // the zero lineLog when there is no Logger
	legLog [2]lineLog // what the legs log with while the relay is theirs
	epoch  time.Time

	hold    [2]atomic.Bool
	holdEnd [2]atomic.Int64 // relay clock when hold last ended

	running   atomic.Bool
	closeOnce sync.Once
	closed    chan struct{}
}

// NewRelay returns a relay between legs a (SideA) and b (SideB). Nothing
// is forwarded until Run.
func NewRelay(a, b *Leg, opts RelayOptions) *Relay {
	if opts.Inactivity <= 0 {
		opts.Inactivity = DefaultInactivity
	}
	r := &Relay{
		legs:   [2]*Leg{a, b},
		opts:   opts,
		epoch:  time.Now(),
		closed: make(chan struct{}),
	}
	r.dirs[SideA] = direction{from: a, to: b}
	r.dirs[SideB] = direction{from: b, to: a}
	if opts.Logger != nil {
		r.log = lineLog{base: opts.Logger, attrs: opts.LogAttrs}
		r.setLegLogs()
	}
	return r
}

// setLegLogs has both legs log through the relay's logger with their side,
// as Logger.With("side", ...) would, without cloning handlers.
func (r *Relay) setLegLogs() {
	n := len(r.opts.LogAttrs) + 1
	attrs := make([]slog.Attr, 2*n) // both legs' attributes in one allocation
	for s, l := range r.legs {
		own := attrs[s*n : (s+1)*n]
		copy(own, r.opts.LogAttrs)
		own[n-1] = slog.String("side", Side(s).String())
		r.legLog[s] = lineLog{base: r.opts.Logger, attrs: own}
		l.log.Store(&r.legLog[s])
	}
}

// logLine writes one line with the relay's logger.
func (r *Relay) logLine(level slog.Level, msg string, args ...any) {
	r.log.write(level, nil, msg, args...)
}

// Leg returns the leg on side s.
func (r *Relay) Leg(s Side) *Leg { return r.legs[s] }

// Run relays until ctx ends or Close is called (nil), either leg is closed
// (nil), or RTP stops (an error wrapping ErrInactive). A relay runs once.
func (r *Relay) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("run relay: already run")
	}
	a, b := r.legs[SideA], r.legs[SideB]
	if !a.sink.CompareAndSwap(nil, &r.dirs[SideA]) {
		return fmt.Errorf("run relay: side A: %w", ErrLegBusy)
	}
	defer a.sink.Store(nil)
	if !b.sink.CompareAndSwap(nil, &r.dirs[SideB]) {
		return fmt.Errorf("run relay: side B: %w", ErrLegBusy)
	}
	defer b.sink.Store(nil)

	start := r.since()
	first := r.opts.Inactivity
	if r.opts.LegInactivity > 0 {
		first = min(first, r.opts.LegInactivity)
	}
	timer := time.NewTimer(first)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.closed:
			return nil
		case <-a.done:
			return nil
		case <-b.done:
			return nil
		case <-timer.C:
			wait, err := r.checkActivity(start)
			if err != nil {
				r.logLine(slog.LevelWarn, "rtp inactivity", "error", err)
				return err
			}
			timer.Reset(wait)
		}
	}
}

// checkActivity returns ErrInactive when the timeouts have passed, or how
// long to wait before the next check.
func (r *Relay) checkActivity(start time.Duration) (time.Duration, error) {
	now := r.since()
	if r.hold[SideA].Load() || r.hold[SideB].Load() {
		return r.opts.Inactivity, nil
	}
	var (
		last [2]time.Duration
		sent [2]bool
	)
	for s, l := range r.legs {
		last[s] = max(start, time.Duration(r.holdEnd[SideA].Load()), time.Duration(r.holdEnd[SideB].Load()))
		if rx := l.stats.lastRx.Load(); rx != 0 {
			// the leg clock and the relay clock are both monotonic
			last[s] = max(last[s], l.epoch.Add(time.Duration(rx)).Sub(r.epoch))
			sent[s] = true
		}
	}
	idle := now - max(last[SideA], last[SideB])
	if idle >= r.opts.Inactivity {
		return 0, fmt.Errorf("relay: no rtp from either leg for %s: %w", idle.Round(time.Millisecond), ErrInactive)
	}
	wait := r.opts.Inactivity - idle
	if lt := r.opts.LegInactivity; lt > 0 {
		for s := range last {
			if !sent[s] {
				continue
			}
			idle := now - last[s]
			if idle >= lt {
				return 0, fmt.Errorf("relay: no rtp from side %s for %s: %w", Side(s), idle.Round(time.Millisecond), ErrInactive)
			}
			wait = min(wait, lt-idle)
		}
	}
	return wait, nil
}

func (r *Relay) since() time.Duration { return time.Since(r.epoch) }

// Close stops Run (it returns nil). The legs stay open: closing them is
// the caller's business.
func (r *Relay) Close() error {
	r.closeOnce.Do(func() { close(r.closed) })
	return nil
}

// Play plays pcm into the leg on side toLeg (see Leg.Play): what the other
// leg sends towards it is replaced by the prompt meanwhile, and the other
// direction keeps flowing.
func (r *Relay) Play(ctx context.Context, toLeg Side, pcm []int16) error {
	return r.legs[toLeg].Play(ctx, pcm)
}

// Mute replaces the audio relayed towards the leg on side toLeg with
// silence (on) or restores it (off). Silence packets keep flowing at the
// other leg's packet rate, so the far end's jitter buffer, NAT binding and
// RTP timeout stay happy; telephone-events towards a muted leg are dropped.
// Prompts still play.
func (r *Relay) Mute(toLeg Side, on bool) { r.dirs[toLeg.Other()].mute.Store(on) }

// SetHold tells the relay the leg on side s is on hold (its SDP said
// sendonly, recvonly, inactive or c=0.0.0.0) or off it. The inactivity
// clock pauses while either leg is on hold, and restarts when hold ends.
func (r *Relay) SetHold(s Side, on bool) {
	if !r.hold[s].Swap(on) || on {
		return
	}
	r.holdEnd[s].Store(int64(r.since()))
}

// SetFilter sets the filter for audio travelling from the leg on side
// fromLeg (nil removes it). Without a filter, audio whose codec matches the
// other leg's is forwarded byte for byte, and PCMU<->PCMA is transcoded by
// table without decoding.
func (r *Relay) SetFilter(fromLeg Side, f AudioFilter) {
	if f == nil {
		r.dirs[fromLeg].filter.Store(nil)
		return
	}
	r.dirs[fromLeg].filter.Store(&filterBox{f})
}

// SetEventHandler sets the handler for telephone-events travelling from
// the leg on side fromLeg (nil removes it: all are forwarded). The leg's
// Digits channel is fed either way.
func (r *Relay) SetEventHandler(fromLeg Side, h EventHandler) {
	if h == nil {
		r.dirs[fromLeg].onEvent.Store(nil)
		return
	}
	r.dirs[fromLeg].onEvent.Store(&h)
}

// Tap subscribes to the decoded audio the leg on side fromLeg sends (see
// Leg.Tap).
func (r *Relay) Tap(fromLeg Side) (<-chan []int16, func()) { return r.legs[fromLeg].Tap() }
