package guard

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clearline/clearline/internal/alert"
	"github.com/clearline/clearline/internal/asr"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/prompts"
	"github.com/clearline/clearline/internal/redact"
	"github.com/clearline/clearline/internal/store"
)

// In-call listening: for a caller who is not a trusted contact, the
// caller leg's audio goes to the speech recogniser and its transcript to
// the scam-script detector. On a scam verdict the caller is put on hold
// (hears silence), the person hears a calm warning suited to the tactic,
// the family is alerted at once and an incident is stored; then, by the
// line's policy, the call is ended or carries on. A suspicious verdict
// stores an incident and alerts without interrupting (the alert is held
// briefly so a call that turns into a scam sends one alert, not two).

// Policies for a scam verdict.
const (
	WarnAndEnd      = "warn-and-end"
	WarnAndContinue = "warn-and-continue"
)

// LinePolicy is a line's in-call protection settings.
type LinePolicy struct {
	Listen   bool
	OnScam   string // WarnAndEnd (default) or WarnAndContinue
	Name     string // for alerts: "Mum's landline"
	District string // postcode district, for incidents
}

// Listening configures in-call protection; a nil Recognizer turns it off.
type Listening struct {
	Recognizer asr.Recognizer
	Model      *detect.Model
	Store      store.Store
	// Alerted is told when alerts were queued (wakes the dispatcher).
	Alerted func()
	// SuspiciousDelay holds alerts about merely suspicious calls, at most
	// this long: they go when the call ends or the delay passes, so a call
	// that turns into a scam meanwhile sends one alert (the scam one).
	SuspiciousDelay time.Duration
	Policies        map[string]LinePolicy
	// OnAssessment, if set, sees every change of verdict (metrics, the
	// dashboard's live feed).
	OnAssessment func(c *gateway.Call, a detect.Assessment)
}

// listener is one analysed call.
type listener struct {
	g      *Guard
	call   *gateway.Call
	policy LinePolicy
	det    *detect.Call
	// flagged tells the keypad guard the call was judged a scam.
	flagged *atomic.Bool

	mu         sync.Mutex
	transcript []store.TranscriptLine
	verdict    detect.Verdict
	flaggedAt  time.Time
	action     string
	lastA      detect.Assessment
}

// listen starts analysing an answered inbound call. It returns at once;
// the work ends with the call's context.
func (g *Guard) listen(ctx context.Context, c *gateway.Call, flagged *atomic.Bool) {
	l := g.listening
	if l.Recognizer == nil {
		return
	}
	pol, ok := g.policy(c.LineID)
	if ok && !pol.Listen {
		return
	}
	if !ok {
		pol = LinePolicy{Listen: true}
	}
	stream, err := l.Recognizer.NewStream(ctx)
	if err != nil {
		g.log.Warn("call not analysed: recogniser refused a stream", "call_id", c.ID, "error", err)
		return
	}
	model := l.Model
	if model == nil {
		model = detect.Default()
	}
	ls := &listener{g: g, call: c, policy: pol, det: model.NewCall(), flagged: flagged}
	frames, stop := c.Relay().Tap(c.TrunkSide())
	g.log.Info("listening to the caller", "call_id", c.ID, "recognizer", l.Recognizer.Name())
	go func() {
		defer stream.Close()
		for {
			select {
			case f, ok := <-frames:
				if !ok {
					return
				}
				stream.Write(f)
			case <-ctx.Done():
				stop()
				return
			}
		}
	}()
	go func() {
		for seg := range stream.Results() {
			ls.heard(ctx, seg)
		}
		ls.finish()
	}()
}

// heard handles one recogniser segment.
func (ls *listener) heard(ctx context.Context, seg asr.Segment) {
	if !seg.Final || strings.TrimSpace(seg.Text) == "" {
		return
	}
	ls.mu.Lock()
	ls.transcript = append(ls.transcript, store.TranscriptLine{At: seg.Start, Speaker: "caller", Text: redact.Text(seg.Text)})
	before := ls.verdict
	a := ls.det.Feed(detect.Segment{Speaker: detect.Caller, Text: seg.Text, Start: seg.Start, End: seg.End, Spotted: seg.Spotted})
	ls.lastA = a
	changed := a.Verdict > before
	if changed {
		ls.verdict = a.Verdict
		if ls.flaggedAt.IsZero() {
			ls.flaggedAt = ls.g.now()
		}
	}
	ls.mu.Unlock()
	if !changed {
		return
	}
	ls.g.log.Info("detector verdict", "call_id", ls.call.ID, "verdict", a.Verdict.String(), "score", a.Score, "tactics", tacticIDs(a), "heard", seg.Text)
	if f := ls.g.listening.OnAssessment; f != nil {
		f(ls.call, a)
	}
	if a.Verdict >= detect.Suspicious {
		ls.g.noteVerdict(ls.call, a.Verdict.String())
	}
	switch a.Verdict {
	case detect.Suspicious:
		ls.record(ctx, a, "alerted the family; the call carried on", ls.g.listening.SuspiciousDelay)
	case detect.Scam:
		ls.flagged.Store(true)
		ls.intervene(ctx, a)
	}
}

// intervene holds the caller, warns the person, alerts and records.
func (ls *listener) intervene(ctx context.Context, a detect.Assessment) {
	r := ls.call.Relay()
	phone, trunk := ls.call.PhoneSide(), ls.call.TrunkSide()
	r.Mute(phone, true) // the person no longer hears the caller
	r.Mute(trunk, true) // the caller hears silence: on hold
	action := "warned the person and ended the call"
	if ls.policy.OnScam == WarnAndContinue {
		action = "warned the person; the call carried on"
	}
	ls.record(ctx, a, action, 0)
	warn, err := prompts.Load(prompts.Warning(a.WarningPrompt))
	if err != nil {
		warn, _ = prompts.Load(prompts.ScamWarning)
	}
	start := time.Now()
	if err := r.Play(ctx, phone, warn); err != nil {
		ls.g.log.Info("warning not finished", "call_id", ls.call.ID, "error", err)
	}
	ls.g.log.Info("scam warning played", "call_id", ls.call.ID, "prompt", a.WarningPrompt, "took", time.Since(start))
	if ls.policy.OnScam == WarnAndContinue {
		r.Mute(phone, false)
		r.Mute(trunk, false)
		return
	}
	ls.call.Hangup("scam warning given")
}

// record stores the incident and queues the family's alerts.
func (ls *listener) record(ctx context.Context, a detect.Assessment, action string, hold time.Duration) {
	st := ls.g.listening.Store
	if st == nil {
		return
	}
	ls.mu.Lock()
	ls.action = action
	inc := ls.incident(a)
	ls.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	recips, err := st.ListAlertRecipients(ctx, ls.call.LineID)
	if err != nil {
		ls.g.log.Error("listing alert recipients", "call_id", ls.call.ID, "error", err)
	}
	var alerts []store.Alert
	for _, rc := range recips {
		al := alert.Compose(inc, ls.policy.Name, rc)
		al.NextAt = inc.FlaggedAt.Add(hold)
		alerts = append(alerts, al)
	}
	if err := st.RecordIncident(ctx, inc, alerts); err != nil {
		ls.g.log.Error("storing incident", "call_id", ls.call.ID, "error", err)
		return
	}
	if err := st.SetCallVerdict(ctx, ls.call.ID, a.Verdict.String(), tacticIDs(a)); err != nil {
		ls.g.log.Warn("storing call verdict", "call_id", ls.call.ID, "error", err)
	}
	ls.g.log.Info("incident stored", "call_id", ls.call.ID, "verdict", inc.Verdict, "alerts", len(alerts), "action", action)
	if len(alerts) > 0 && ls.g.listening.Alerted != nil {
		ls.g.listening.Alerted()
	}
}

// incident builds the stored record; ls.mu is held.
func (ls *listener) incident(a detect.Assessment) store.Incident {
	caller := ls.call.From
	if ls.call.Anonymous {
		caller = ""
	}
	return store.Incident{
		CallID: ls.call.ID, LineID: ls.call.LineID, Caller: caller, District: ls.policy.District,
		Verdict: a.Verdict.String(), Score: a.Score, Tactics: tacticIDs(a), Explanation: redact.Text(a.Explanation),
		Action: ls.action, Recognizer: ls.g.listening.Recognizer.Name(),
		Transcript: append([]store.TranscriptLine(nil), ls.transcript...), FlaggedAt: ls.flaggedAt, CreatedAt: ls.flaggedAt,
	}
}

// finish runs when the recogniser's stream has ended (the call is over):
// the incident gets the whole transcript and held alerts may go.
func (ls *listener) finish() {
	ls.mu.Lock()
	flagged := ls.verdict >= detect.Suspicious
	inc := ls.incident(ls.lastA)
	ls.mu.Unlock()
	if !flagged || ls.g.listening.Store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st := ls.g.listening.Store
	if err := st.RecordIncident(ctx, inc, nil); err != nil {
		ls.g.log.Error("updating incident at call end", "call_id", ls.call.ID, "error", err)
	}
	if err := st.ReleaseAlerts(ctx, ls.call.ID, ls.g.now()); err != nil {
		ls.g.log.Error("releasing alerts", "call_id", ls.call.ID, "error", err)
	} else if ls.g.listening.Alerted != nil {
		ls.g.listening.Alerted()
	}
}

func tacticIDs(a detect.Assessment) []string {
	var ids []string
	for _, e := range a.Tactics {
		if e.Kind == detect.KindReassure || e.Kind == detect.KindDiscuss {
			continue
		}
		ids = append(ids, e.Tactic)
	}
	return ids
}

// District returns the outward code of a UK postcode ("AL1 3XY" -> "AL1"),
// the most of an address an analyst may see.
func District(postcode string) string {
	p := strings.ToUpper(strings.Join(strings.Fields(postcode), ""))
	if len(p) < 5 || len(p) > 7 {
		return ""
	}
	return p[:len(p)-3]
}

// policy returns a line's in-call protection settings as they are now.
func (g *Guard) policy(lineID string) (LinePolicy, bool) {
	g.polMu.RLock()
	defer g.polMu.RUnlock()
	p, ok := g.listening.Policies[lineID]
	return p, ok
}

// SetOnScam changes what a line does on a scam verdict (WarnAndEnd or
// WarnAndContinue) from its next call on. It reports false, changing
// nothing, for an unknown line or policy.
func (g *Guard) SetOnScam(lineID, onScam string) bool {
	if onScam != WarnAndEnd && onScam != WarnAndContinue {
		return false
	}
	g.polMu.Lock()
	defer g.polMu.Unlock()
	p, ok := g.listening.Policies[lineID]
	if !ok {
		return false
	}
	p.OnScam = onScam
	g.listening.Policies[lineID] = p
	return true
}
