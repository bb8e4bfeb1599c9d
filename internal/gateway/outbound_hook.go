package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/clearline/clearline/internal/media"
)

// OutboundScreener is an optional interface of Hooks: when the installed
// hooks implement it, the gateway asks it about every call a protected
// phone dials, except emergency numbers, which go straight to the provider
// without any hook.
type OutboundScreener interface {
	// ScreenOutbound runs once the phone's INVITE is authenticated and
	// before the provider is dialled; it must return quickly.
	ScreenOutbound(ctx context.Context, c *Call) OutboundPlan
}

// CallEndObserver is an optional interface of Hooks: CallEnded is called
// once for every call (emergency calls included) after both legs are torn
// down and its media ports are closed, just before the gateway forgets it.
type CallEndObserver interface {
	CallEnded(c *Call, outcome string)
}

// OutboundPlan is what to do with a call the phone dialled before it is
// connected. The zero plan connects it as usual.
type OutboundPlan struct {
	// Reasons, when not empty, are stored as the call's decision reasons
	// (with decision Decision, default "allow").
	Decision string
	Reasons  []string
	// Cleared names calls (Call.ID) that must be over before Before runs:
	// the gateway ends any still in progress and waits until their legs
	// are torn down and their media ports closed.
	Cleared []string
	// Before, if set, runs on the phone's leg, which the gateway answers
	// first, once every Cleared call is confirmed over and before the
	// provider is dialled (e.g. "This is a new call. Your previous call
	// has ended."). If the Cleared calls cannot be confirmed over, Before
	// is not run (it would say something untrue) and the call connects
	// anyway. An error from Before is logged; the call still connects.
	Before func(ctx context.Context, phone *media.Leg) error
}

// clearTimeout bounds the wait for an earlier call's teardown.
const clearTimeout = 5 * time.Second

// ensureEnded makes sure every listed call of the line is over: calls still
// in progress are ended by clearline, and the wait lasts until each is
// untracked (the gateway untracks a call only after its legs got their BYE
// and its media legs were closed). It returns an error when any is not confirmed over.
func (g *Gateway) ensureEnded(ctx context.Context, self *Call, ids []string) error {
	for _, id := range ids {
		if id == self.ID {
			continue
		}
		g.mu.Lock()
		old := g.active[id]
		g.mu.Unlock()
		if old == nil {
			continue // finished: its legs and ports were closed before it was untracked
		}
		if old.LineID != self.LineID {
			return fmt.Errorf("ensure call %s ended: it belongs to line %s, not %s", id, old.LineID, self.LineID)
		}
		g.log.Warn("earlier call still in progress: clearing it before the new call", "call_id", self.ID, "earlier_call_id", id)
		old.end("clearline", "line cleared for a new call")
		wctx, cancel := context.WithTimeout(ctx, clearTimeout)
		select {
		case <-old.gone:
		case <-wctx.Done():
			cancel()
			return fmt.Errorf("ensure call %s ended: %w", id, wctx.Err())
		}
		cancel()
		for _, l := range []*media.Leg{old.inLeg, old.outLeg} {
			if l == nil {
				continue
			}
			select {
			case <-l.Done():
			default:
				return fmt.Errorf("ensure call %s ended: a media leg is still open", id)
			}
		}
	}
	return nil
}

// runBefore answers the phone and runs the plan's Before on its leg once
// the earlier calls are confirmed over. It reports false when the call
// ended meanwhile (the phone hung up).
func (g *Gateway) runBefore(c *Call, offer *media.SessionDesc, plan OutboundPlan) bool {
	if err := g.ensureEnded(c.ctx, c, plan.Cleared); err != nil {
		g.log.Error("earlier call not confirmed over: no new-call announcement", "call_id", c.ID, "error", err)
		g.emit(c.ID, "clear-unconfirmed", err.Error())
		return c.ctx.Err() == nil
	}
	g.emit(c.ID, "line-cleared", fmt.Sprintf("%d earlier call(s) confirmed over", len(plan.Cleared)))
	ctx, cancel := g.answerEarly(c, offer, "announcement")
	defer cancel()
	g.emit(c.ID, "before-connect", "to the phone")
	if err := plan.Before(ctx, c.inLeg); err != nil && c.ctx.Err() == nil {
		g.log.Warn("before-connect step failed; connecting anyway", "call_id", c.ID, "error", err)
	}
	if c.ctx.Err() != nil {
		c.setOutcome("cancelled")
		c.teardown()
		return false
	}
	return true
}
