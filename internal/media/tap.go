package media

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Buffer sizes of the channels a leg delivers on.
const (
	TapBuffer    = 50 // frames (one second of 20 ms packets)
	DigitsBuffer = 32 // keys
)

// deliverer hands decoded audio to tap subscribers and keys to Digits
// without ever blocking the reader: a full channel loses the item and the
// loss is counted.
type deliverer struct {
	mu     sync.Mutex
	taps   []chan []int16
	digits chan rune // made by the first key or Digits call: most legs have neither
	closed bool
	n      atomic.Int32 // len(taps), read without the lock on every packet
}

// digitsChan returns the Digits channel, making it (closed, if the leg
// is) on first use. d.mu must be held.
func (d *deliverer) digitsChan() chan rune {
	if d.digits == nil {
		d.digits = make(chan rune, DigitsBuffer)
		if d.closed {
			close(d.digits)
		}
	}
	return d.digits
}

func (d *deliverer) digitsOut() <-chan rune {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.digitsChan()
}

func (d *deliverer) tapping() bool { return d.n.Load() > 0 }

// tap gives each subscriber with room a copy of pcm.
func (d *deliverer) tap(pcm []int16, st *counters) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ch := range d.taps {
		if len(ch) == cap(ch) { // the reader is the only sender: no race to fill it
			st.tapDrops.Add(1)
			continue
		}
		ch <- append([]int16(nil), pcm...)
	}
}

func (d *deliverer) digit(r rune, st *counters) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	select {
	case d.digitsChan() <- r:
	default:
		st.digitDrops.Add(1)
	}
}

func (d *deliverer) subscribe(n int) (<-chan []int16, func()) {
	ch := make(chan []int16, n)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		close(ch)
		return ch, func() {}
	}
	d.taps = append(d.taps, ch)
	d.n.Store(int32(len(d.taps)))
	var once sync.Once
	return ch, func() { once.Do(func() { d.unsubscribe(ch) }) }
}

func (d *deliverer) unsubscribe(ch chan []int16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, c := range d.taps {
		if c == ch {
			d.taps = append(d.taps[:i], d.taps[i+1:]...)
			d.n.Store(int32(len(d.taps)))
			close(ch)
			return
		}
	}
}

func (d *deliverer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	for _, ch := range d.taps {
		close(ch)
	}
	d.taps = nil
	d.n.Store(0)
	if d.digits != nil {
		close(d.digits)
	}
}

// Tap subscribes to the decoded audio the far end sends on this leg: 8 kHz
// 16-bit samples, one slice per packet (normally 160 samples, 20 ms),
// before any mute or filter. Each slice belongs to the receiver. The
// channel holds TapBuffer frames; when the subscriber falls behind, frames
// are dropped (Stats.TapDrops), never waited for. Telephone-events and
// comfort noise are not audio and are not delivered. cancel unsubscribes
// and closes the channel; Close closes it too.
func (l *Leg) Tap() (frames <-chan []int16, cancel func()) { return l.deliver.subscribe(TapBuffer) }

// Digits delivers the keys the far end presses as RFC 4733 telephone-events
// ('0'-'9', '*', '#', 'A'-'D'), one per event however many packets carry it
// (updates and the repeated end packets are de-duplicated). It holds
// DigitsBuffer keys; more are dropped (Stats.DigitDrops). It is closed by
// Close. Keys are delivered whether or not the leg is relayed.
func (l *Leg) Digits() <-chan rune { return l.deliver.digitsOut() }

// Record returns the audio the far end sends until limit worth of samples
// has arrived (a far end that sends nothing makes it wait: bound it with
// ctx). When ctx ends first it returns what arrived with ctx's error; when
// the leg closes, with ErrClosed.
func (l *Leg) Record(ctx context.Context, limit time.Duration) ([]int16, error) {
	frames, cancel := l.Tap()
	defer cancel()
	want := int(limit * SampleRate / time.Second)
	pcm := make([]int16, 0, want+FrameSamples)
	for len(pcm) < want {
		select {
		case f, ok := <-frames:
			if !ok {
				return pcm, fmt.Errorf("record: %w", ErrClosed)
			}
			pcm = append(pcm, f...)
		case <-ctx.Done():
			return pcm, fmt.Errorf("record: %w", ctx.Err())
		}
	}
	return pcm[:want], nil
}
