package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// Event is one item of the live alert feed.
type Event struct {
	Kind     string    `json:"kind"` // "incident"
	At       time.Time `json:"at"`
	LineID   string    `json:"line_id,omitempty"`
	LineName string    `json:"line_name,omitempty"`
	CallID   string    `json:"call_id,omitempty"`
	Caller   string    `json:"caller,omitempty"`
	District string    `json:"district,omitempty"`
	Verdict  string    `json:"verdict"`
	Tactics  []string  `json:"tactics"`
	Action   string    `json:"action,omitempty"`
}

// IncidentEvent is the feed's view of an incident the guard recorded.
func IncidentEvent(inc store.Incident) Event {
	at := inc.FlaggedAt
	if !inc.CreatedAt.IsZero() {
		at = inc.CreatedAt
	}
	return Event{Kind: "incident", At: at, LineID: inc.LineID, CallID: inc.CallID, Caller: inc.Caller, District: inc.District,
		Verdict: inc.Verdict, Tactics: slices.Clone(inc.Tactics), Action: inc.Action}
}

// forAnalyst strips what an analyst may not see: the line and the caller.
func (e Event) forAnalyst() Event {
	return Event{Kind: e.Kind, At: e.At, District: e.District, Verdict: e.Verdict, Tactics: e.Tactics}
}

// Feed fans events out to the dashboards watching. Publish never blocks:
// a subscriber too slow to keep up misses events (its page still shows
// them on reload, from the store).
type Feed struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

// NewFeed returns an empty feed.
func NewFeed() *Feed { return &Feed{subs: map[chan Event]struct{}{}} }

// Publish sends e to every subscriber.
func (f *Feed) Publish(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// Subscribe returns a channel of events and a function to stop.
func (f *Feed) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 32)
	f.mu.Lock()
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch, func() {
		f.mu.Lock()
		delete(f.subs, ch)
		f.mu.Unlock()
	}
}

// Subscribers counts the open subscriptions (tests wait for a page to connect).
func (f *Feed) Subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// events streams the feed as server-sent events: carers get their lines'
// incidents, administrators all, analysts all with the district only.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	u, _, err := s.sessionUser(r)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, &problem{Message: "Log in first."})
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	ch, stop := s.cfg.Feed.Subscribe()
	defer stop()
	names := map[string]string{}
	if lines, err := s.cfg.Store.ListLines(r.Context()); err == nil {
		for _, l := range lines {
			names[l.ID] = l.Name
		}
	}
	fmt.Fprint(w, "retry: 3000\n: connected\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case e := <-ch:
			switch u.Role {
			case store.RoleAnalyst:
				e = e.forAnalyst()
			case store.RoleCarer:
				if !slices.Contains(u.Lines, e.LineID) {
					continue
				}
				fallthrough
			default:
				e.LineName = names[e.LineID]
			}
			b, _ := json.Marshal(e)
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Kind, b); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
