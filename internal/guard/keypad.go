package guard

import (
	"context"
	"sync/atomic"

	"github.com/clearline/clearline/internal/dtmf"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/media"
	"github.com/clearline/clearline/internal/prompts"
)

// The keypad guard: on an inbound call from a caller who is not a trusted
// contact, keys pressed on the protected phone never reach the caller.
// RFC 4733 events from the phone are dropped, and in-band tones are cut
// from the phone's audio by a dtmf.Suppressor (40 ms added delay). On a
// call flagged as a scam, a key press also plays "Never type your PIN for
// a caller." to the person. Calls the person dials out pass keys as usual
// (this runs only for inbound calls), and clearline's own challenge reads
// keys before the call is bridged, so it is unaffected.
func (g *Guard) guardKeypad(ctx context.Context, c *gateway.Call, flagged *atomic.Bool) {
	r := c.Relay()
	phone := c.PhoneSide()
	reminder, _ := prompts.Load(prompts.PINReminder)
	var playing atomic.Bool
	remind := func() {
		if !flagged.Load() || len(reminder) == 0 || !playing.CompareAndSwap(false, true) {
			return
		}
		go func() {
			defer playing.Store(false)
			if err := r.Play(ctx, phone, reminder); err != nil {
				g.log.Debug("pin reminder not played", "call_id", c.ID, "error", err)
			}
		}()
	}
	var lastTS atomic.Uint32
	var seen atomic.Bool
	r.SetEventHandler(phone, func(ev media.Event) bool {
		if !seen.Load() || lastTS.Load() != ev.Timestamp {
			seen.Store(true)
			lastTS.Store(ev.Timestamp)
			g.log.Info("keypad guard: key from the phone not passed to the caller", "call_id", c.ID, "kind", "rfc4733")
			remind()
		}
		return false
	})
	r.SetFilter(phone, dtmf.NewSuppressor(func(key byte) {
		g.log.Info("keypad guard: key tone removed from the phone's audio", "call_id", c.ID, "kind", "in-band")
		remind()
	}))
}
