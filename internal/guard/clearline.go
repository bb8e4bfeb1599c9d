package guard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clearline/clearline/internal/alert"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/media"
	"github.com/clearline/clearline/internal/prompts"
	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/numplan"
	"github.com/clearline/clearline/internal/store"
)

// The clear line: fraudsters tell a suspicious victim "hang up and call
// 101 / your bank to check", and keep the line open so the victim reaches
// the gang again. clearline owns both legs, so an outgoing call is always a
// fresh call; after a risky call (judged suspicious or a scam, challenged,
// or from an unknown caller) a call within ClearLine.Window to 101, 105,
// 161, a bank or another verification number is announced as such: the
// gateway confirms the risky call is over (legs torn down, media ports
// closed), the person hears "This is a new call. Your previous call has
// ended.", and then the number is dialled. The family is told the person
// called to verify. Emergency numbers never get here: the gateway sends
// them to the provider at once, without hooks, and the policy refuses
// them as well.

// ClearLine configures the clear-line announcement.
type ClearLine struct {
	// HomeRegion is the ISO 3166 region whose national numbers the lists
	// and dialled numbers are read in ("GB" when empty), as the screener
	// reads caller IDs.
	HomeRegion string
	// Numbers are the verification numbers of every line (short codes and
	// banks' numbers), in national (0345...) or international (+44...) form.
	Numbers []string
	// LineNumbers are further numbers per line (the numbers on the back of
	// the person's own cards).
	LineNumbers map[string][]string
	// Window is how long after a risky call ends a verification call is
	// announced. Zero turns the clear line off.
	Window time.Duration
	// Emergency numbers are never announced, whatever the lists say.
	Emergency []string
	// LineNames name lines in alerts ("Mum").
	LineNames map[string]string
}

// Reasons a call counts as risky, strongest last.
const (
	riskUnknown    = "from an unknown caller"
	riskChallenged = "from a caller clearline challenged"
	riskSuspicious = "judged suspicious"
	riskScam       = "judged a likely scam"
)

var riskRank = map[string]int{riskUnknown: 1, riskChallenged: 2, riskSuspicious: 3, riskScam: 4}

// riskyCall is the last risky call of a line.
type riskyCall struct {
	callID  string
	caller  string // presented number, "" when withheld
	reason  string
	started time.Time
	ended   time.Time // zero while in progress
}

// clearLine is the policy and the per-line memory of the last risky call.
type clearLine struct {
	cfg     ClearLine
	now     func() time.Time
	parser  *numplan.Parser
	global  map[numplan.Number]bool
	perLine map[string]map[numplan.Number]bool
	emerg   map[numplan.Number]bool
	// emergDigits are the emergency numbers' digits, compared as the
	// gateway compares them, should the numbering plan read one oddly.
	emergDigits map[string]bool

	mu   sync.Mutex
	last map[string]*riskyCall // by line
	// up holds, by line, the risky calls that may still be up, with their
	// call's context (done once the call is over): all of them are cleared
	// before a verification call, not only the last, so "your previous
	// call has ended" is true even with two risky calls at once.
	up map[string]map[string]context.Context
}

func newClearLine(cfg ClearLine, now func() time.Time) (*clearLine, error) {
	region := cfg.HomeRegion
	if region == "" {
		region = "GB"
	}
	p, err := numplan.New(region)
	if err != nil {
		return nil, fmt.Errorf("clear line: %w", err)
	}
	cl := &clearLine{cfg: cfg, now: now, parser: p, global: map[numplan.Number]bool{}, perLine: map[string]map[numplan.Number]bool{},
		emerg: map[numplan.Number]bool{}, emergDigits: map[string]bool{}, last: map[string]*riskyCall{}, up: map[string]map[string]context.Context{}}
	for _, n := range cfg.Emergency {
		if k := cl.dialKey(n); k != 0 {
			cl.emerg[k] = true
		}
		if d := digits(n); d != "" {
			cl.emergDigits[d] = true
		}
	}
	add := func(m map[numplan.Number]bool, n string) error {
		k := cl.dialKey(n)
		if k == 0 {
			return fmt.Errorf("clear line: verification number %q is not a telephone number", n)
		}
		m[k] = true
		return nil
	}
	for _, n := range cfg.Numbers {
		if err := add(cl.global, n); err != nil {
			return nil, err
		}
	}
	for line, ns := range cfg.LineNumbers {
		m := map[numplan.Number]bool{}
		for _, n := range ns {
			if err := add(m, n); err != nil {
				return nil, fmt.Errorf("line %s: %w", line, err)
			}
		}
		cl.perLine[line] = m
	}
	return cl, nil
}

// dialKey reads a dialled or configured number into one comparable form with
// the screener's parser for the home region: "+44 345 740 4404", "0044 345
// 740 4404" and "0345 740 4404" are one number in GB, and short codes
// ("101") are the home region's own. It is 0 for what is no telephone
// number ("", letters, a lone "+"), which matches nothing.
func (cl *clearLine) dialKey(n string) numplan.Number {
	k, err := cl.parser.Parse(n)
	if err != nil {
		return 0
	}
	return k
}

// digits returns n's digits, nothing else.
func digits(n string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, n)
}

// isVerification reports whether dialling number on line is a call to
// check on a risky call. Emergency numbers never are.
func (cl *clearLine) isVerification(lineID, number string) bool {
	k := cl.dialKey(number)
	if k == 0 || cl.emerg[k] || cl.emergDigits[digits(number)] {
		return false
	}
	return cl.global[k] || cl.perLine[lineID][k]
}

// noteRisky remembers an inbound call as the line's last risky call,
// unless an equal or stronger reason is already known for it. live is the
// call's context, done once the call is over (nil: not known to be up).
func (cl *clearLine) noteRisky(live context.Context, lineID, callID, caller, reason string, at time.Time) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if live != nil && live.Err() == nil {
		if cl.up[lineID] == nil {
			cl.up[lineID] = map[string]context.Context{}
		}
		cl.up[lineID][callID] = live
	}
	if r := cl.last[lineID]; r != nil && r.callID == callID {
		if riskRank[reason] > riskRank[r.reason] {
			r.reason = reason
		}
		return
	}
	cl.last[lineID] = &riskyCall{callID: callID, caller: caller, reason: reason, started: at}
}

// noteEnded records the end of a call (any call; only the remembered
// risky one matters).
func (cl *clearLine) noteEnded(lineID, callID string, at time.Time) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if r := cl.last[lineID]; r != nil && r.callID == callID && r.ended.IsZero() {
		r.ended = at
	}
	delete(cl.up[lineID], callID)
}

// stillUp returns the line's risky calls not over yet, sorted, and
// forgets those that are. Called with cl.mu held.
func (cl *clearLine) stillUp(lineID string) []string {
	var ids []string
	for id, live := range cl.up[lineID] {
		if live.Err() != nil {
			delete(cl.up[lineID], id)
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// toClear returns the calls a verification call must see ended first:
// prev and every risky call of the line still up.
func (cl *clearLine) toClear(lineID string, prev riskyCall) []string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	ids := []string{prev.callID}
	for _, id := range cl.stillUp(lineID) {
		if id != prev.callID {
			ids = append(ids, id)
		}
	}
	return ids
}

// previous returns the line's risky call a verification call now should
// be announced after: one still in progress, or one that ended within the
// window.
func (cl *clearLine) previous(lineID string, now time.Time) (riskyCall, bool) {
	if cl.cfg.Window <= 0 {
		return riskyCall{}, false
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	r := cl.last[lineID]
	if r == nil {
		return riskyCall{}, false
	}
	// An older risky call still up counts however long ago the last ended.
	if !r.ended.IsZero() && now.Sub(r.ended) > cl.cfg.Window && len(cl.stillUp(lineID)) == 0 {
		return riskyCall{}, false
	}
	return *r, true
}

// inboundRisk says whether a screening decision makes a call risky.
func inboundRisk(d screen.Decision) (string, bool) {
	switch {
	case d.Action == screen.Challenge:
		return riskChallenged, true
	case d.Action == screen.Allow && d.Stage != screen.StageTrusted:
		return riskUnknown, true
	}
	return "", false
}

// ScreenOutbound implements gateway.OutboundScreener: the clear line.
func (g *Guard) ScreenOutbound(ctx context.Context, c *gateway.Call) gateway.OutboundPlan {
	cl := g.clear
	if cl == nil || c.Emergency || !cl.isVerification(c.LineID, c.To) {
		return gateway.OutboundPlan{}
	}
	prev, ok := cl.previous(c.LineID, g.now())
	if !ok {
		return gateway.OutboundPlan{}
	}
	at := prev.started // "the call at 14:05" is how people name a call
	g.log.Info("clear line: verification call after a risky call", "call_id", c.ID, "dialled", c.To,
		"previous_call_id", prev.callID, "previous_reason", prev.reason, "previous_at", at)
	return gateway.OutboundPlan{
		Decision: "clear-line",
		Reasons:  []string{fmt.Sprintf("%s is a verification number dialled after a call %s at %s; announced as a new call once that call was confirmed ended", c.To, prev.reason, at.Local().Format("15:04"))},
		Cleared:  cl.toClear(c.LineID, prev),
		Before: func(ctx context.Context, phone *media.Leg) error {
			g.verified(ctx, c, prev, at)
			pcm, err := prompts.Load(prompts.NewCall)
			if err != nil {
				return fmt.Errorf("clear line: %w", err)
			}
			if err := phone.Play(ctx, concat(silence(300*time.Millisecond), pcm, silence(200*time.Millisecond))); err != nil {
				return fmt.Errorf("clear line: play new-call prompt: %w", err)
			}
			g.log.Info("clear line: new-call announcement played", "call_id", c.ID)
			return nil
		},
	}
}

// verified queues "X called 101 to verify after a suspicious call" for the
// line's alert recipients.
func (g *Guard) verified(ctx context.Context, c *gateway.Call, prev riskyCall, at time.Time) {
	st := g.listening.Store
	if st == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	recips, err := st.ListAlertRecipients(ctx, c.LineID)
	if err != nil {
		g.log.Error("clear line: listing alert recipients", "call_id", c.ID, "error", err)
		return
	}
	v := alert.Verification{CallID: c.ID, LineID: c.LineID, Dialled: c.To, At: g.now(),
		PreviousCallID: prev.callID, PreviousCaller: prev.caller, PreviousReason: prev.reason, PreviousAt: at}
	var alerts []store.Alert
	for _, r := range recips {
		alerts = append(alerts, alert.ComposeVerification(v, g.clear.cfg.LineNames[c.LineID], r))
	}
	if len(alerts) == 0 {
		return
	}
	if err := st.QueueAlerts(ctx, alerts); err != nil {
		g.log.Error("clear line: queueing alerts", "call_id", c.ID, "error", err)
		return
	}
	g.log.Info("clear line: family told of the verification call", "call_id", c.ID, "alerts", len(alerts))
	if g.listening.Alerted != nil {
		g.listening.Alerted()
	}
}

// CallEnded implements gateway.CallEndObserver.
func (g *Guard) CallEnded(c *gateway.Call, outcome string) {
	if g.clear != nil && c.Direction == "inbound" {
		g.clear.noteEnded(c.LineID, c.ID, g.now())
	}
}

// noteInbound remembers a screened inbound call if it is risky.
func (g *Guard) noteInbound(c *gateway.Call, d screen.Decision) {
	if g.clear == nil {
		return
	}
	if reason, ok := inboundRisk(d); ok {
		caller := c.From
		if c.Anonymous {
			caller = ""
		}
		g.clear.noteRisky(c.Context(), c.LineID, c.ID, caller, reason, g.now())
	}
}

// noteVerdict remembers a call the detector flagged.
func (g *Guard) noteVerdict(c *gateway.Call, verdict string) {
	if g.clear == nil {
		return
	}
	reason := riskSuspicious
	if verdict == "scam" {
		reason = riskScam
	}
	caller := c.From
	if c.Anonymous {
		caller = ""
	}
	g.clear.noteRisky(c.Context(), c.LineID, c.ID, caller, reason, g.now())
}

var (
	_ gateway.OutboundScreener = (*Guard)(nil)
	_ gateway.CallEndObserver  = (*Guard)(nil)
)
