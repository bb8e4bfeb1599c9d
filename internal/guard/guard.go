// Package guard is clearline's per-call orchestration: it joins the
// screening decision, the caller challenge and (as they arrive) the
// in-call protections to the gateway's calls. It implements gateway.Hooks;
// the decisions themselves live in the pure packages (screen, detect, dtmf).
package guard

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/screen"
)

// Guard screens inbound calls and runs challenges.
type Guard struct {
	screener *screen.Screener
	lines    map[string]*screen.Line
	log      *slog.Logger
	now      func() time.Time
	prompts  *promptSet
	nameTime time.Duration
	onList   func(lineID, kind, number, addedBy string)

	listening Listening
	polMu     sync.RWMutex // guards listening.Policies (the dashboard changes them)
	clear     *clearLine
}

var _ gateway.Hooks = (*Guard)(nil)

// Config configures a Guard.
type Config struct {
	Screener *screen.Screener
	Lines    map[string]*screen.Line
	Log      *slog.Logger
	Now      func() time.Time
	// NameTime is the longest name a challenged caller may say.
	NameTime time.Duration
	// OnListChange, if set, is told when the person trusts (key 3) or
	// blocks (key 9) a caller, so the change can be kept.
	OnListChange func(lineID, kind, number, addedBy string)
	// Listening configures in-call protection (off when its Recognizer is nil).
	Listening Listening
	// ClearLine configures the new-call announcement on verification calls
	// (off when its Window is zero); see clearline.go.
	ClearLine ClearLine
}

// New builds a Guard; it loads the prompts once.
func New(cfg Config) (*Guard, error) {
	p, err := loadPrompts()
	if err != nil {
		return nil, err
	}
	g := &Guard{screener: cfg.Screener, lines: cfg.Lines, log: cfg.Log, now: cfg.Now, prompts: p, nameTime: cfg.NameTime, onList: cfg.OnListChange, listening: cfg.Listening}
	if g.now == nil {
		g.now = time.Now
	}
	// The guard owns its copy of the policies: SetOnScam changes them.
	pols := make(map[string]LinePolicy, len(cfg.Listening.Policies))
	for id, p := range cfg.Listening.Policies {
		pols[id] = p
	}
	g.listening.Policies = pols
	if g.nameTime <= 0 {
		g.nameTime = 4 * time.Second
	}
	if cfg.ClearLine.Window > 0 {
		if g.clear, err = newClearLine(cfg.ClearLine, g.now); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// ScreenInbound decides before the phone rings.
func (g *Guard) ScreenInbound(ctx context.Context, c *gateway.Call) gateway.Screening {
	callerID := c.From
	if c.Anonymous {
		callerID = screen.Anonymous
	}
	line := g.lines[c.LineID]
	d := g.screener.Decide(ctx, screen.Input{CallerID: callerID, Line: line, Now: g.now()})
	g.log.Info("screening decision", "call_id", c.ID, "caller", d.Number, "decision", d.Action.String(), "stage", d.Stage, "reasons", d.Reasons)
	scr := gateway.Screening{Action: d.Action.String(), Reasons: d.Reasons}
	g.noteInbound(c, d)
	if d.Action == screen.Challenge {
		ch := &challenge{g: g, call: c, line: line, number: d.Number}
		scr.Challenge = ch.askName
		scr.Announce = ch.announce
	}
	return scr
}

// CallConnected starts in-call protection: inbound calls from callers who
// are not trusted contacts are listened to (see listen.go). Emergency
// calls never reach here (the gateway bypasses every hook).
func (g *Guard) CallConnected(ctx context.Context, c *gateway.Call) {
	if c.Direction != "inbound" || c.Emergency {
		return
	}
	if g.trusted(ctx, c) {
		return
	}
	flagged := &atomic.Bool{}
	g.guardKeypad(ctx, c, flagged)
	g.listen(ctx, c, flagged)
}

// trusted asks the screener again, so a caller the person trusted with
// key 3 during this very call's challenge counts as trusted.
func (g *Guard) trusted(ctx context.Context, c *gateway.Call) bool {
	if c.Anonymous {
		return false
	}
	d := g.screener.Decide(ctx, screen.Input{CallerID: c.From, Line: g.lines[c.LineID], Now: g.now()})
	return d.Stage == screen.StageTrusted
}
