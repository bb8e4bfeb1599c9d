package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/clearline/clearline/internal/media"
)

// onInvite routes a new INVITE: a re-INVITE inside a call, a call from the
// provider to a protected line, or a call dialled by a protected phone.
// Anything else is refused with 403 and a log line.
func (g *Gateway) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil {
		if tag, ok := to.Params.Get("tag"); ok && tag != "" {
			g.onReinvite(req, tx)
			return
		}
	}
	src := req.Source()
	from := ""
	if f := req.From(); f != nil {
		from = f.Address.User
	}
	switch {
	case g.reg.isPhone(from) || g.reg.isBindingSource(src) || g.reg.hasPhoneCredentials(req):
		// A protected phone dialling out; it must prove who it is (digest),
		// so a spoofed From gains nothing.
		g.outbound(req, tx)
	case g.isTrunkSource(src):
		g.inbound(req, tx)
	default:
		g.log.Warn("invite refused: source is not the provider and not a protected phone",
			"source", src, "from", from, "to", req.Recipient.User)
		respond(tx, req, 403, "Forbidden")
	}
}

func (g *Gateway) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if err := g.uasDialogs.ReadAck(req, tx); err != nil {
		// ACKs of re-INVITEs and of error responses land here: harmless.
		g.log.Debug("ack outside an established dialog", "call_id", req.CallID().Value(), "error", err)
	}
}

func (g *Gateway) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := g.uasDialogs.ReadBye(req, tx); err == nil {
		return
	}
	if err := g.uacDialogs.ReadBye(req, tx); err == nil {
		return
	}
	g.log.Info("bye for unknown dialog", "call_id", req.CallID().Value(), "source", req.Source())
	respond(tx, req, 481, "Call/Transaction Does Not Exist")
}

// offerFrom parses the caller's SDP offer, answering 400/488 itself when it
// is unusable.
func (g *Gateway) offerFrom(req *sip.Request, tx sip.ServerTransaction) (*media.SessionDesc, bool) {
	body := req.Body()
	if len(body) == 0 {
		// Offer-less INVITEs (offer in 200, answer in ACK) are rare on home
		// lines; refuse clearly rather than half-support them.
		g.log.Warn("invite without sdp offer refused", "source", req.Source())
		respond(tx, req, 488, "Not Acceptable Here")
		return nil, false
	}
	sd, err := media.ParseSDP(body)
	if err != nil {
		g.log.Warn("invite with malformed sdp", "source", req.Source(), "error", err)
		respond(tx, req, 400, "Bad Request")
		return nil, false
	}
	if _, err := media.Negotiate(sd, supportedCodecs); err != nil {
		g.log.Warn("invite with no common codec", "source", req.Source(), "error", err)
		res := sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil)
		res.AppendHeader(sip.NewHeader("Warning", `305 clearline "Incompatible media format: PCMU or PCMA required"`))
		_ = tx.Respond(res)
		return nil, false
	}
	return sd, true
}

var supportedCodecs = []media.Codec{media.PCMU, media.PCMA}

// inbound handles a call from the provider to a protected line.
func (g *Gateway) inbound(req *sip.Request, tx sip.ServerTransaction) {
	lineID, ok := g.lineFor(req)
	if !ok {
		g.log.Warn("inbound call for unknown number", "to", req.Recipient.User, "source", req.Source())
		respond(tx, req, 404, "Not Found")
		return
	}
	offer, ok := g.offerFrom(req, tx)
	if !ok {
		return
	}
	trying(tx, req)
	c := g.newCall("inbound", req)
	c.LineID = lineID
	g.track(c)
	defer g.untrack(c)
	// Screening is an in-memory decision: made first, it goes into the
	// call's first row, one call-log write fewer per call.
	scr := g.hooks.ScreenInbound(c.ctx, c)
	c.logStart(&scr)
	defer c.finish()
	g.emit(c.ID, "invite", fmt.Sprintf("from %s to line %s", displayCaller(c), lineID))
	g.log.Info("inbound call", "call_id", c.ID, "sip_call_id", c.SIPCallID, "from", c.From, "line", lineID)
	if !g.acceptInvite(c, req, tx) {
		return
	}
	defer c.in.Close()
	g.emit(c.ID, "screened", scr.Action)
	switch scr.Action {
	case "block":
		g.log.Info("caller blocked before ringing", "call_id", c.ID, "from", c.From, "reasons", scr.Reasons)
		c.setOutcome("blocked")
		_ = c.in.Respond(603, "Decline", nil)
		return
	case "challenge":
		if scr.Challenge == nil {
			g.log.Error("challenge decision without a challenge", "call_id", c.ID)
			c.setOutcome("failed")
			_ = c.in.Respond(500, "Server Internal Error", nil)
			return
		}
	}

	var legOK bool
	if c.inLeg, legOK = g.openLeg(c); !legOK {
		return
	}
	defer c.closeMedia()
	c.inLeg.SetRemote(offer.Addr(), offer.Codecs, offer.EventPT())

	if scr.Action == "challenge" {
		if !g.runChallenge(c, offer, scr) {
			return
		}
	}

	targets := g.reg.lookup(lineID)
	if len(targets) == 0 {
		g.log.Warn("no phone registered for line", "call_id", c.ID, "line", lineID)
		c.setOutcome("failed")
		c.rejectCaller(480, "Temporarily Unavailable")
		return
	}
	invites := make([]*sip.Request, len(targets))
	for i, b := range targets {
		invites[i] = g.phoneInvite(c, b)
	}
	g.bridge(c, offer, invites, sipgo.AnswerOptions{}, scr.Announce)
}

// phoneInvite is the INVITE that rings one of the line's phones.
func (g *Gateway) phoneInvite(c *Call, b binding) *sip.Request {
	invite := sip.NewRequest(sip.INVITE, b.contact)
	invite.SetDestination(b.source)
	invite.SetTransport(transportOf(b.transport))
	g.fromListener(invite)
	fromUser := c.From
	if c.Anonymous {
		fromUser = "anonymous"
	}
	invite.AppendHeader(&sip.FromHeader{
		DisplayName: c.CallerName,
		Address:     sip.Uri{Scheme: "sip", User: fromUser, Host: g.cfg.Host},
		Params:      tagParams(),
	})
	invite.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: b.contact.User, Host: b.contact.Host}, Params: sip.NewParams()})
	return invite
}

// outbound handles a call dialled by a protected phone.
func (g *Gateway) outbound(req *sip.Request, tx sip.ServerTransaction) {
	acc, err := g.reg.authenticate(req, "Proxy-Authorization")
	if err != nil {
		if errors.Is(err, errNoCredentials) || errors.Is(err, errStaleNonce) {
			res := sip.NewResponseFromRequest(req, 407, "Proxy Authentication Required", nil)
			res.AppendHeader(sip.NewHeader("Proxy-Authenticate", g.auth.challenge(errors.Is(err, errStaleNonce))))
			_ = tx.Respond(res)
			return
		}
		g.log.Warn("outbound call refused: bad credentials", "source", req.Source(), "error", err)
		respond(tx, req, 403, "Forbidden")
		return
	}
	if g.cfg.Trunk.Address == "" {
		g.log.Error("outbound call: no trunk configured")
		respond(tx, req, 503, "Service Unavailable")
		return
	}
	dialled := req.Recipient.User
	if numberKey(dialled) == "" {
		respond(tx, req, 484, "Address Incomplete")
		return
	}
	offer, ok := g.offerFrom(req, tx)
	if !ok {
		return
	}
	trying(tx, req)
	c := g.newCall("outbound", req)
	c.LineID = acc.LineID
	c.From = g.lineCallerID(acc.LineID)
	c.To = dialled
	c.Emergency = g.isEmergency(dialled)
	g.track(c)
	defer g.untrack(c)
	c.logStart(nil)
	defer c.finish()
	if c.Emergency {
		// Emergency calls: straight to the provider, no hooks, no prompts.
		g.log.Warn("emergency call", "call_id", c.ID, "line", c.LineID, "number", dialled)
	}
	g.emit(c.ID, "invite", fmt.Sprintf("phone of line %s dials %s", c.LineID, dialled))
	g.log.Info("outbound call", "call_id", c.ID, "sip_call_id", c.SIPCallID, "line", c.LineID, "to", dialled, "emergency", c.Emergency)
	if !g.acceptInvite(c, req, tx) {
		return
	}
	defer c.in.Close()
	var legOK bool
	if c.inLeg, legOK = g.openLeg(c); !legOK {
		return
	}
	defer c.closeMedia()
	c.inLeg.SetRemote(offer.Addr(), offer.Codecs, offer.EventPT())

	if scr, ok := g.hooks.(OutboundScreener); ok && !c.Emergency {
		plan := scr.ScreenOutbound(c.ctx, c)
		if len(plan.Reasons) > 0 {
			d := plan.Decision
			if d == "" {
				d = "allow"
			}
			if err := g.calls.SetCallDecision(context.Background(), c.ID, d, plan.Reasons); err != nil {
				g.log.Error("call log: decision", "call_id", c.ID, "error", err)
			}
		}
		if plan.Before != nil && !g.runBefore(c, offer, plan) {
			return
		}
	}

	t := g.cfg.Trunk
	invite := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: dialled, Host: t.Domain})
	invite.SetDestination(t.Address)
	invite.SetTransport(transportOf(t.Transport))
	g.fromListener(invite)
	invite.AppendHeader(&sip.FromHeader{
		Address: sip.Uri{Scheme: "sip", User: c.From, Host: t.Domain},
		Params:  tagParams(),
	})
	invite.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: dialled, Host: t.Domain}, Params: sip.NewParams()})
	g.bridge(c, offer, []*sip.Request{invite}, sipgo.AnswerOptions{Username: t.Username, Password: t.Password}, nil)
}

// trying answers 100 Trying as soon as an INVITE is taken on, before the
// call log is written: the caller's retransmissions stop at once, however
// busy the store is.
func trying(tx sip.ServerTransaction, req *sip.Request) {
	respond(tx, req, 100, "Trying")
}

// acceptInvite opens the caller's dialog.
func (g *Gateway) acceptInvite(c *Call, req *sip.Request, tx sip.ServerTransaction) bool {
	in, err := g.uasDialogs.ReadInvite(req, tx)
	if err != nil {
		g.log.Error("caller dialog", "call_id", c.ID, "error", err)
		respond(tx, req, 500, "Server Internal Error")
		return false
	}
	c.in = in
	return true
}

// openLeg opens a media leg for the call, answering the caller 503 when no
// port is free.
func (g *Gateway) openLeg(c *Call) (*media.Leg, bool) {
	l, err := g.ports.Open(c.ctx)
	if err != nil {
		g.log.Error("media ports exhausted", "call_id", c.ID, "error", err)
		c.rejectCaller(503, "Service Unavailable")
		return nil, false
	}
	return l, true
}

// bridge places the callee leg, relays its progress to the caller, and, once
// answered, connects the media and waits for the call to end. Several
// invites (the line's handsets) ring at once, and the first to answer takes
// the call (ringAll).
func (g *Gateway) bridge(c *Call, offer *media.SessionDesc, invites []*sip.Request, auth sipgo.AnswerOptions,
	announce func(context.Context, *media.Leg) (bool, error)) {
	var ok bool
	if c.outLeg, ok = g.openLeg(c); !ok {
		return
	}
	codecs, _ := media.Negotiate(offer, supportedCodecs) // checked in offerFrom
	sdp := c.outLeg.SDP(codecs, eventPT, "sendrecv")
	for _, invite := range invites {
		invite.SetBody(sdp)
		invite.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}

	// The callee leg lives until the caller cancels, the ring timer fires
	// or clearline ends the call.
	ringCtx, ringCancel := context.WithTimeout(c.ctx, g.cfg.RingTimeout)
	defer ringCancel()
	go func() {
		select {
		case <-c.in.Context().Done():
			// The caller's dialog also ends when clearline itself sends
			// the final error (busy, no answer): only an end clearline
			// did not cause is the caller cancelling.
			if !c.isAnswered() && !c.wasRejected() {
				c.end("caller", "cancel")
				c.setOutcome("cancelled")
			}
		case <-ringCtx.Done():
		}
	}()

	var out *sipgo.DialogClientSession
	var err error
	if len(invites) == 1 {
		if out, err = g.uacDialogs.WriteInvite(ringCtx, invites[0]); err != nil {
			g.log.Error("invite to callee failed", "call_id", c.ID, "error", err)
			c.rejectCaller(502, "Bad Gateway")
			return
		}
		c.out = out
		defer out.Close()
	}
	g.emit(c.ID, "invite-sent", "to "+legName(c.Direction, false))

	relayDone := make(chan error, 1)
	startRelay := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.relayOn {
			return
		}
		c.relayOn = true
		c.relay = media.NewRelay(c.inLeg, c.outLeg, media.RelayOptions{Inactivity: g.cfg.RTPTimeout, LegInactivity: g.cfg.RTPTimeout, Logger: g.log, LogAttrs: []slog.Attr{slog.String("call_id", c.ID)}})
		go func() { relayDone <- c.relay.Run(c.ctx) }()
	}
	earlySent := false
	auth.OnResponse = func(res *sip.Response) error {
		switch {
		case res.StatusCode == 180 || (res.StatusCode == 183 && len(res.Body()) == 0):
			g.emit(c.ID, "ringing", "")
			if !c.inAnsweredOrEarly(earlySent) {
				_ = c.in.Respond(180, "Ringing", nil)
			}
		case res.StatusCode == 183 && len(res.Body()) > 0:
			if err := c.applyAnswer(res.Body()); err != nil {
				g.log.Warn("early media sdp unusable", "call_id", c.ID, "error", err)
				return nil
			}
			startRelay()
			if !earlySent && !c.inAnswered {
				earlySent = true
				g.emit(c.ID, "early-media", "")
				_ = c.in.Respond(183, "Session Progress", c.callerSDP(offer), sip.NewHeader("Content-Type", "application/sdp"))
			}
		}
		return nil
	}
	if len(invites) == 1 {
		err = out.WaitAnswer(ringCtx, auth)
	} else if out, err = g.ringAll(c, ringCtx, invites, auth); err == nil {
		g.mu.Lock() // callForRequest reads c.out under g.mu
		c.out = out
		g.mu.Unlock()
		defer out.Close()
	}
	if err != nil {
		var resErr *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &resErr):
			code, reason, outcome := failResponse(resErr.Res.StatusCode)
			g.log.Info("callee refused", "call_id", c.ID, "status", resErr.Res.StatusCode, "outcome", outcome)
			c.setOutcome(outcome)
			c.rejectCaller(code, reason)
		case c.ctx.Err() != nil:
			// The caller cancelled (sipgo already answered 487) or clearline ended it.
			if c.outcomeIs("failed") {
				c.setOutcome("cancelled")
			}
			c.rejectCaller(487, "Request Terminated")
		case ringCtx.Err() != nil:
			g.log.Info("no answer", "call_id", c.ID, "after", g.cfg.RingTimeout)
			c.setOutcome("no-answer")
			c.rejectCaller(480, "Temporarily Unavailable")
		default:
			g.log.Warn("callee leg failed", "call_id", c.ID, "error", err)
			c.rejectCaller(502, "Bad Gateway")
		}
		return
	}
	if err := out.Ack(c.ctx); err != nil {
		g.log.Warn("ack to callee failed", "call_id", c.ID, "error", err)
	}
	if err := c.applyAnswer(out.InviteResponse.Body()); err != nil {
		g.log.Warn("callee answer sdp unusable: hanging up", "call_id", c.ID, "error", err)
		c.end("clearline", "bad callee sdp")
		c.rejectCaller(488, "Not Acceptable Here")
		_ = out.Bye(context.Background())
		return
	}
	if c.isEnded() {
		// The caller hung up while the callee was answering.
		c.teardown()
		return
	}
	if announce != nil && !c.relayStarted() {
		g.emit(c.ID, "announce", "to the phone")
		ok, err := announce(c.ctx, c.outLeg)
		if err != nil && c.ctx.Err() == nil {
			g.log.Warn("announcement failed", "call_id", c.ID, "error", err)
		}
		if !ok || c.ctx.Err() != nil {
			g.emit(c.ID, "refused", "by the phone")
			c.setOutcome("refused")
			c.end("clearline", "refused after announcement")
			c.teardown()
			return
		}
	}
	startRelay()
	c.mu.Lock()
	c.answered = true
	c.outcome = "answered"
	c.mu.Unlock()
	answeredAt := g.now()
	g.emit(c.ID, "answered", "")

	if !c.callerAnswered() {
		c.mu.Lock()
		c.inAnswered = true
		c.mu.Unlock()
		// RespondSDP returns once the caller's ACK arrives (the 200 is
		// retransmitted until then).
		body := c.callerSDP(offer)
		go func() {
			if err := c.in.RespondSDP(body); err != nil && !c.isEnded() {
				g.log.Warn("caller did not acknowledge the answer", "call_id", c.ID, "error", err)
				c.end("clearline", "no ack")
			}
		}()
	}
	// The answer goes in the call log alongside: neither the caller's 200
	// nor noticing a hang-up waits for the store.
	c.logLater(func() {
		if err := g.calls.AnswerCall(context.Background(), c.ID, answeredAt); err != nil {
			g.log.Error("call log: answer", "call_id", c.ID, "error", err)
		}
	})
	g.log.Info("call connected", "call_id", c.ID, "direction", c.Direction, "emergency", c.Emergency)
	if !c.Emergency {
		g.hooks.CallConnected(c.ctx, c)
	}
	c.waitEnd(relayDone)
}

func (c *Call) relayStarted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.relayOn
}

func (c *Call) isAnswered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answered
}

func (c *Call) callerAnswered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inAnswered
}

func (c *Call) inAnsweredOrEarly(early bool) bool { return early || c.callerAnswered() }

// wasRejected reports whether clearline sent the caller a final error.
func (c *Call) wasRejected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rejected
}

func (c *Call) outcomeIs(o string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.outcome == o
}

// rejectCaller sends a final error to the caller leg, or a BYE when it has
// already been answered (after a challenge).
func (c *Call) rejectCaller(code int, reason string) {
	if c.callerAnswered() {
		c.end("clearline", reason)
		c.teardown()
		return
	}
	if c.in.LoadState() == sip.DialogStateEnded {
		return
	}
	c.mu.Lock()
	c.rejected = true
	c.mu.Unlock()
	if err := c.in.Respond(code, reason, nil); err != nil {
		c.g.log.Debug("final response to caller", "call_id", c.ID, "error", err)
	}
}

// applyAnswer points the callee media leg at the callee's SDP.
func (c *Call) applyAnswer(body []byte) error {
	sd, err := media.ParseSDP(body)
	if err != nil {
		return fmt.Errorf("parse answer: %w", err)
	}
	if _, err := media.Negotiate(sd, supportedCodecs); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	c.outLeg.SetRemote(sd.Addr(), sd.Codecs, sd.EventPT())
	return nil
}

// callerSDP is clearline's answer to the caller's offer.
func (c *Call) callerSDP(offer *media.SessionDesc) []byte {
	codecs, _ := media.Negotiate(offer, supportedCodecs)
	ev := uint8(0)
	if offer.EventPT() != 0 {
		ev = offer.EventPT()
	}
	return c.inLeg.SDP(codecs[:1], ev, answerDirection(offer.Direction))
}

// eventPT is the RFC 4733 payload type clearline offers.
const eventPT = 101

// answerDirection mirrors an offer's direction attribute.
func answerDirection(d string) string {
	switch d {
	case "sendonly":
		return "recvonly"
	case "recvonly":
		return "sendonly"
	case "inactive":
		return "inactive"
	default:
		return "sendrecv"
	}
}

// onReinvite answers a re-INVITE (hold, resume, session refresh) on its
// own leg: media stays anchored in clearline, so the other leg needs no
// renegotiation. The relay learns the new address and hold state.
func (g *Gateway) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	c, leg := g.callForRequest(req)
	if c == nil {
		respond(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	direction := "sendrecv"
	if body := req.Body(); len(body) > 0 {
		sd, err := media.ParseSDP(body)
		if err != nil {
			g.log.Warn("re-invite with malformed sdp", "call_id", c.ID, "error", err)
			respond(tx, req, 400, "Bad Request")
			return
		}
		if _, err := media.Negotiate(sd, supportedCodecs); err != nil {
			respond(tx, req, 488, "Not Acceptable Here")
			return
		}
		direction = sd.Direction
		ml := c.inLeg
		if leg == "out" {
			ml = c.outLeg
		}
		ml.SetRemote(sd.Addr(), sd.Codecs, sd.EventPT())
		if c.relay != nil {
			c.relay.SetHold(sideOf(c, leg), direction != "sendrecv" || sd.Addr().Addr().IsUnspecified())
		}
	}
	ml := c.inLeg
	if leg == "out" {
		ml = c.outLeg
	}
	g.log.Info("re-invite", "call_id", c.ID, "leg", leg, "direction", direction)
	g.emit(c.ID, "re-invite", direction)
	codec := ml.Codec()
	body := ml.SDP([]media.Codec{codec}, ml.EventPT(), answerDirection(direction))
	res := sip.NewResponseFromRequest(req, 200, "OK", body)
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "clearline", Host: g.cfg.Host, Port: g.sipPort()}})
	_ = tx.Respond(res)
}

func sideOf(c *Call, leg string) media.Side {
	if leg == "in" {
		return media.SideA
	}
	return media.SideB
}

// callForRequest finds the call an in-dialog request belongs to.
func (g *Gateway) callForRequest(req *sip.Request) (*Call, string) {
	cid := req.CallID()
	if cid == nil {
		return nil, ""
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.active {
		if c.in != nil && c.in.InviteRequest.CallID().Value() == cid.Value() {
			return c, "in"
		}
		if c.out != nil && c.out.InviteRequest.CallID().Value() == cid.Value() {
			return c, "out"
		}
	}
	return nil, ""
}

func (g *Gateway) sipPort() int { return g.listenPort }

// lineFor finds the protected line an inbound call is for.
func (g *Gateway) lineFor(req *sip.Request) (string, bool) {
	for _, u := range []string{req.Recipient.User, toUser(req)} {
		if id, ok := g.lineByNumber[numberKey(u)]; ok && u != "" {
			return id, true
		}
	}
	if len(g.lines) == 1 {
		for id := range g.lines {
			return id, true
		}
	}
	return "", false
}

func toUser(req *sip.Request) string {
	if t := req.To(); t != nil {
		return t.Address.User
	}
	return ""
}

// lineCallerID is the number presented to the provider for a line's calls.
func (g *Gateway) lineCallerID(lineID string) string {
	if l, ok := g.lines[lineID]; ok && len(l.Numbers) > 0 {
		return l.Numbers[0]
	}
	if g.cfg.Trunk.Username != "" {
		return g.cfg.Trunk.Username
	}
	return lineID
}

func displayCaller(c *Call) string {
	if c.Anonymous {
		return "a withheld number"
	}
	return c.From
}

// fromListener makes a request over UDP leave from clearline's own SIP
// socket rather than a new one per destination: providers expect requests
// from the port a line registered from, the replies (and later requests in
// the dialog) arrive where the large receive buffer is, and there is one
// socket to read, not one per peer.
func (g *Gateway) fromListener(req *sip.Request) {
	if g.udpLocal == nil || req.Transport() != "UDP" {
		return
	}
	req.Laddr = sip.Addr{IP: g.udpLocal.IP, Port: g.udpLocal.Port}
}

func transportOf(t string) string {
	if t == "tcp" {
		return "TCP"
	}
	return "UDP"
}
