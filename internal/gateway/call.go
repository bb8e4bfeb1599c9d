package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/clearline/clearline/internal/media"
)

// Call is one call through the gateway: the leg that called clearline (a
// UAS dialog, "in") and the leg clearline placed (a UAC dialog, "out"), with
// media anchored between them.
type Call struct {
	ID         string // clearline's own call ID (the call log's key)
	LineID     string
	Direction  string // "inbound" (trunk -> phone) or "outbound" (phone -> trunk)
	From, To   string // caller and callee as presented
	CallerName string // display name presented by the caller
	Anonymous  bool   // the caller withheld their number
	Emergency  bool
	SIPCallID  string // Call-ID of the incoming leg

	g      *Gateway
	ctx    context.Context
	cancel context.CancelCauseFunc
	gone   chan struct{} // closed when the gateway forgets the call (legs and ports closed)
	// logged, when not nil, is closed once the call-log writes made so far
	// without waiting are done (logLater).
	logged chan struct{}

	in     *sipgo.DialogServerSession
	out    *sipgo.DialogClientSession
	inLeg  *media.Leg // media towards the caller
	outLeg *media.Leg // media towards the callee
	relay  *media.Relay

	mu          sync.Mutex
	answered    bool
	inAnswered  bool // we sent 200 to the caller
	rejected    bool // we sent the caller a final error response
	relayOn     bool
	ended       bool
	hangupBy    string
	endReason   string
	outcome     string
	byeSentAt   time.Time
	byeDuration time.Duration
}

// Relay returns the call's media relay (nil before media is set up).
func (c *Call) Relay() *media.Relay { return c.relay }

// PhoneSide is the relay side facing the protected phone.
func (c *Call) PhoneSide() media.Side {
	if c.Direction == "inbound" {
		return media.SideB
	}
	return media.SideA
}

// TrunkSide is the relay side facing the provider.
func (c *Call) TrunkSide() media.Side {
	if c.Direction == "inbound" {
		return media.SideA
	}
	return media.SideB
}

// Context ends when the call ends.
func (c *Call) Context() context.Context { return c.ctx }

// Hangup ends the call from clearline's side (both legs get BYE/CANCEL).
func (c *Call) Hangup(reason string) { c.end("clearline", reason) }

// ByeDelay is the time from detecting one side's hang-up to the other
// side's BYE being answered (zero until then).
func (c *Call) ByeDelay() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byeDuration
}

func (g *Gateway) newCall(dir string, req *sip.Request) *Call {
	c := &Call{ID: newCallID(), Direction: dir, g: g, outcome: "failed", gone: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancelCause(context.Background())
	if cid := req.CallID(); cid != nil {
		c.SIPCallID = cid.Value()
	}
	if f := req.From(); f != nil {
		c.From = f.Address.User
		c.CallerName = strings.Trim(f.DisplayName, `"`)
	}
	if pai := req.GetHeader("P-Asserted-Identity"); pai != nil && dir == "inbound" {
		if u := paiUser(pai.Value()); u != "" {
			c.From = u
		}
	}
	if priv := req.GetHeader("Privacy"); priv != nil && strings.Contains(strings.ToLower(priv.Value()), "id") {
		c.Anonymous = true
	}
	switch strings.ToLower(c.From) {
	case "", "anonymous", "unknown", "unavailable", "restricted", "private", "withheld":
		c.Anonymous = true
	}
	c.To = req.Recipient.User
	return c
}

// newCallID returns a time-ordered UUID (version 7): the call log's
// primary key then grows at its end, so a write touches the last index page
// rather than a random one.
func newCallID() string {
	id, err := uuid.NewV7()
	if err != nil { // the system's random source failed: any unique id will do
		return uuid.NewString()
	}
	return id.String()
}

// paiUser extracts the user part of a P-Asserted-Identity value.
func paiUser(v string) string {
	var u sip.Uri
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	if strings.HasPrefix(v, "tel:") {
		return strings.TrimPrefix(v, "tel:")
	}
	if err := sip.ParseUri(v, &u); err != nil {
		return ""
	}
	return u.User
}

func (g *Gateway) track(c *Call) {
	g.mu.Lock()
	g.active[c.ID] = c
	g.mu.Unlock()
	g.wg.Add(1)
}

func (g *Gateway) untrack(c *Call) {
	g.mu.Lock()
	delete(g.active, c.ID)
	g.mu.Unlock()
	close(c.gone)
	g.wg.Done()
}

// logStart writes the call's first row, with the screening decision when
// it is already known (scr may be nil), before the call goes on: the row is
// there before the phone rings. An emergency call never waits for the
// store: its row is written alongside (logLater).
func (c *Call) logStart(scr *Screening) {
	r := CallRecord{
		ID: c.ID, LineID: c.LineID, Direction: c.Direction,
		From: c.From, To: c.To, CallerName: c.CallerName,
		StartedAt: c.g.now(), Emergency: c.Emergency,
	}
	if scr != nil {
		r.Decision, r.Reasons = scr.Action, scr.Reasons
	}
	write := func() {
		if err := c.g.calls.StartCall(context.Background(), r); err != nil {
			c.g.log.Error("call log: start", "call_id", c.ID, "error", err)
		}
	}
	if c.Emergency {
		c.logLater(write)
		return
	}
	write()
}

// logLater makes a call-log write without holding up the call: it runs
// alongside, after the call's earlier writes, so writes never overtake
// each other. Only the call's own goroutine calls logLater and logWait.
func (c *Call) logLater(write func()) {
	prev, done := c.logged, make(chan struct{})
	c.logged = done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		write()
	}()
}

// logWait returns once every write made with logLater is done.
func (c *Call) logWait() {
	if c.logged != nil {
		<-c.logged
	}
}

// end records who ended the call and why, and starts the teardown. Only the
// first call has any effect.
func (c *Call) end(by, reason string) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	c.hangupBy = by
	c.endReason = reason
	c.mu.Unlock()
	c.cancel(fmt.Errorf("%s: %s", by, reason))
}

// errCallOver is the cause of a call's context ending when nothing else
// ended it first (a call refused before it was set up).
var errCallOver = errors.New("call over")

func (c *Call) isEnded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended
}

// closeMedia closes both media legs at once: after this nothing either far
// end sends is relayed.
func (c *Call) closeMedia() {
	if c.inLeg != nil {
		c.inLeg.Close()
	}
	if c.outLeg != nil {
		c.outLeg.Close()
	}
}

// finish writes the final row of the call log. The call's context is done
// from here on, however the call ended.
func (c *Call) finish() {
	c.cancel(errCallOver)
	c.mu.Lock()
	outcome, by, reason := c.outcome, c.hangupBy, ""
	if by == "clearline" {
		reason = c.endReason // why clearline hung up, for the call log
	}
	c.mu.Unlock()
	c.logWait()
	if err := c.g.calls.EndCall(context.Background(), c.ID, c.g.now(), outcome, by, reason); err != nil {
		c.g.log.Error("call log: end", "call_id", c.ID, "error", err)
	}
	c.g.log.Info("call ended", "call_id", c.ID, "direction", c.Direction, "outcome", outcome, "hangup_by", by, "reason", c.endReason)
	c.g.emit(c.ID, "ended", outcome)
	if o, ok := c.g.hooks.(CallEndObserver); ok {
		o.CallEnded(c, outcome)
	}
}

func (c *Call) setOutcome(o string) {
	c.mu.Lock()
	c.outcome = o
	c.mu.Unlock()
}

// failResponse maps the callee's final error to what the caller is told,
// and the call-log outcome.
func failResponse(code int) (int, string, string) {
	switch {
	case code == 486 || code == 600:
		return 486, "Busy Here", "busy"
	case code == 603:
		return 603, "Decline", "rejected"
	case code == 404 || code == 484 || code == 604:
		return 404, "Not Found", "failed"
	case code == 480 || code == 408:
		return 480, "Temporarily Unavailable", "no-answer"
	case code == 488 || code == 606:
		return 488, "Not Acceptable Here", "failed"
	case code == 401 || code == 407 || code == 403:
		return 403, "Forbidden", "failed"
	case code >= 500:
		return 502, "Bad Gateway", "failed"
	default:
		return code, "Call Failed", "failed"
	}
}

// waitEnd blocks until either side hangs up, the media goes dead, or
// clearline ends the call, then tears both legs down and returns.
func (c *Call) waitEnd(relayDone <-chan error) {
	select {
	case <-c.in.Context().Done():
		c.end(c.callerName(), "bye")
	case <-c.out.Context().Done():
		c.end(c.calleeName(), "bye")
	case err := <-relayDone:
		if errors.Is(err, media.ErrInactive) {
			c.g.log.Warn("rtp inactivity: ending call", "call_id", c.ID)
			c.end("clearline", "rtp-timeout")
		} else {
			c.end("clearline", fmt.Sprintf("media: %v", err))
		}
	case <-c.ctx.Done():
	}
	c.teardown()
}

// The leg that called clearline is always the caller, the leg clearline
// placed always the callee, whichever the direction.
func (c *Call) callerName() string { return "caller" }
func (c *Call) calleeName() string { return "callee" }

// teardown closes media and sends BYE to every leg still up, in parallel.
func (c *Call) teardown() {
	c.closeMedia()
	start := time.Now()
	c.mu.Lock()
	c.byeSentAt = start
	by := c.hangupBy
	c.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	var byes []func()
	if c.in != nil && c.in.LoadState() != sip.DialogStateEnded && by != c.callerName() {
		byes = append(byes, func() {
			c.g.emit(c.ID, "bye-sent", "to "+legName(c.Direction, true))
			if err := c.in.Bye(ctx); err != nil {
				c.g.log.Warn("bye to caller leg failed", "call_id", c.ID, "error", err)
			}
		})
	}
	if c.out != nil && c.out.LoadState() != sip.DialogStateEnded && by != c.calleeName() {
		byes = append(byes, func() {
			c.g.emit(c.ID, "bye-sent", "to "+legName(c.Direction, false))
			if err := c.out.Bye(ctx); err != nil {
				c.g.log.Warn("bye to callee leg failed", "call_id", c.ID, "error", err)
			}
		})
	}
	// Usually one side hung up and only the other needs a BYE; when
	// clearline ends the call both legs get theirs at once.
	var wg sync.WaitGroup
	for i, bye := range byes {
		if i == len(byes)-1 {
			bye()
			break
		}
		wg.Go(bye)
	}
	wg.Wait()
	d := time.Since(start)
	c.mu.Lock()
	c.byeDuration = d
	if c.answered {
		c.outcome = "completed"
	}
	c.mu.Unlock()
	c.g.log.Info("legs cleared", "call_id", c.ID, "hangup_by", by, "bye_round_trip", d)
}

func legName(dir string, in bool) string {
	if (dir == "inbound") == in {
		return "provider"
	}
	return "phone"
}

// tagParams returns header params holding a fresh tag.
func tagParams() sip.HeaderParams {
	p := sip.NewParams()
	p.Add("tag", sip.GenerateTagN(16))
	return p
}
