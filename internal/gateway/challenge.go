package gateway

import (
	"context"

	"github.com/clearline/clearline/internal/media"
)

// runChallenge answers the caller so clearline itself can talk to them
// (the screening layer plays the prompts and records the name), and reports
// whether the phone should now ring. The caller leg stays answered; when the
// phone answers later only the media is joined.
func (g *Gateway) runChallenge(c *Call, offer *media.SessionDesc, scr Screening) bool {
	g.emit(c.ID, "challenge", "answering the caller to ask for a name")
	ctx, cancel := g.answerEarly(c, offer, "challenge")
	defer cancel()
	pass, err := scr.Challenge(ctx, c.inLeg)
	if err != nil && c.ctx.Err() == nil {
		g.log.Warn("challenge failed", "call_id", c.ID, "error", err)
	}
	if pass && c.ctx.Err() == nil {
		g.emit(c.ID, "challenge-passed", "")
		return true
	}
	g.emit(c.ID, "challenge-failed", "")
	c.setOutcome("challenge-failed")
	c.end("clearline", "challenge not passed")
	c.teardown()
	return false
}

// answerEarly answers the caller's leg before the far leg is joined (for a
// challenge or a before-connect announcement) and watches it: the call ends
// if the caller hangs up meanwhile or never acknowledges the answer. The
// context it returns ends with the call or when cancel is called.
func (g *Gateway) answerEarly(c *Call, offer *media.SessionDesc, during string) (context.Context, context.CancelFunc) {
	answerErr := make(chan error, 1)
	go func() { answerErr <- c.in.RespondSDP(c.callerSDP(offer)) }()
	c.mu.Lock()
	c.inAnswered = true
	c.mu.Unlock()

	ctx, cancel := context.WithCancel(c.ctx)
	go func() {
		select {
		case <-c.in.Context().Done():
			c.end("caller", "hung up during "+during)
		case <-ctx.Done():
		}
	}()
	go func() {
		if err := <-answerErr; err != nil && !c.isEnded() {
			g.log.Warn("caller did not acknowledge the answer", "call_id", c.ID, "during", during, "error", err)
			c.end("clearline", "no ack")
		}
	}()
	return ctx, cancel
}
