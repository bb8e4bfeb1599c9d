package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/web/auth"
)

// counts are a period's calls by what clearline did.
type counts struct {
	Calls      int `json:"calls"`
	Allowed    int `json:"allowed"`
	Blocked    int `json:"blocked"`
	Challenged int `json:"challenged"`
	Flagged    int `json:"flagged"`
}

// category puts a call in one of the chart's groups: flagged (the
// detector judged it suspicious or a scam), blocked (refused before the
// phone rang), challenged (asked to say a name) or allowed.
func category(c store.Call) string {
	switch {
	case c.Verdict == "suspicious" || c.Verdict == "scam":
		return "flagged"
	case c.Decision == "block" || c.Outcome == "blocked" || c.Outcome == "refused":
		return "blocked"
	case c.Decision == "challenge":
		return "challenged"
	}
	return "allowed"
}

// flagged returns the ids of a line's calls with an incident since t.
func (s *Server) flagged(ctx context.Context, lineID string, since time.Time) (map[string]bool, error) {
	incs, err := s.cfg.Store.ListIncidents(ctx, store.IncidentFilter{LineID: lineID, Since: since, Limit: 100000})
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, in := range incs {
		ids[in.CallID] = true
	}
	return ids, nil
}

// add counts c; flagged says whether it has an incident.
func (n *counts) add(c store.Call, flagged bool) {
	n.Calls++
	cat := category(c)
	if flagged {
		cat = "flagged"
	}
	switch cat {
	case "flagged":
		n.Flagged++
	case "blocked":
		n.Blocked++
	case "challenged":
		n.Challenged++
	default:
		n.Allowed++
	}
}

type lineSummary struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Today counts `json:"today"`
}

func (s *Server) startOfDay(t time.Time) time.Time {
	t = t.In(s.cfg.Location)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.cfg.Location)
}

func (s *Server) today(ctx context.Context, lineID string) (counts, error) {
	var n counts
	since := s.startOfDay(s.cfg.Now())
	calls, err := s.cfg.Store.ListCalls(ctx, store.CallFilter{LineID: lineID, Since: since, Limit: 100000})
	if err != nil {
		return n, err
	}
	flagged, err := s.flagged(ctx, lineID, since)
	if err != nil {
		return n, err
	}
	for _, c := range calls {
		n.add(c, flagged[c.ID])
	}
	return n, nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	if c.user.Role == store.RoleAnalyst && !c.api {
		return &view{Redirect: "/incidents"}, nil
	}
	lines, err := s.visibleLines(r.Context(), c.user)
	if err != nil {
		return nil, err
	}
	out := []lineSummary{}
	for _, l := range lines {
		n, err := s.today(r.Context(), l.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, lineSummary{ID: l.ID, Name: l.Name, Today: n})
	}
	return &view{Page: "home", Title: "Your lines", Data: out}, nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	return &view{Page: "error", Title: "You", Data: map[string]any{"username": c.user.Username, "role": c.user.Role, "lines": nonNil(c.user.Lines), "csrf": c.session.CSRF}}, nil
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// bar is one rectangle of the 30-day chart.
type bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

type dayCounts struct {
	Day string `json:"day"`
	counts
}

type overviewData struct {
	Line    lineSummary        `json:"line"`
	Days    []dayCounts        `json:"last_30_days"`
	Bars    []bar              `json:"-"`
	Labels  []bar              `json:"-"`
	Max     int                `json:"-"`
	Changes []store.AuditEntry `json:"recent_changes"`
}

const chartW, chartH = 600, 200

func (s *Server) overview(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, _, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	d := overviewData{Line: lineSummary{ID: l.ID, Name: l.Name}}
	if d.Line.Today, err = s.today(ctx, l.ID); err != nil {
		return nil, err
	}
	first := s.startOfDay(s.cfg.Now()).AddDate(0, 0, -29)
	calls, err := s.cfg.Store.ListCalls(ctx, store.CallFilter{LineID: l.ID, Since: first, Limit: 100000})
	if err != nil {
		return nil, err
	}
	flagged, err := s.flagged(ctx, l.ID, first)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for i := 0; i < 30; i++ {
		day := first.AddDate(0, 0, i).Format("2006-01-02")
		idx[day] = i
		d.Days = append(d.Days, dayCounts{Day: day})
	}
	for _, cl := range calls {
		if i, ok := idx[cl.StartedAt.In(s.cfg.Location).Format("2006-01-02")]; ok {
			d.Days[i].add(cl, flagged[cl.ID])
		}
	}
	d.Max = 1
	for _, dc := range d.Days {
		d.Max = max(d.Max, dc.Calls)
	}
	bw := chartW / 30
	for i, dc := range d.Days {
		y := chartH
		for _, part := range []struct {
			n     int
			class string
		}{{dc.Allowed, "allowed"}, {dc.Challenged, "challenged"}, {dc.Blocked, "blocked"}, {dc.Flagged, "flagged"}} {
			if part.n == 0 {
				continue
			}
			h := part.n * (chartH - 20) / d.Max
			h = max(h, 3)
			y -= h
			d.Bars = append(d.Bars, bar{X: i*bw + 2, Y: y, W: bw - 4, H: h, Class: part.class, Title: fmt.Sprintf("%s: %d %s", dc.Day, part.n, part.class)})
		}
		if i%7 == 0 && i < 28 || i == 29 {
			d.Labels = append(d.Labels, bar{X: i * bw, Title: dc.Day[5:]})
		}
	}
	if d.Changes, err = s.cfg.Store.ListAudit(ctx, store.AuditFilter{LineID: l.ID, Limit: 5}); err != nil {
		return nil, err
	}
	d.Changes = nonNil(d.Changes)
	return &view{Page: "overview", Title: l.Name, Data: d}, nil
}

// hungUpBy names who ended a call for the person reading the log: on an
// inbound call the callee is the protected person, on an outbound call the
// caller is.
func hungUpBy(direction, by string) string {
	switch by {
	case "clearline":
		return "clearline"
	case "caller":
		if direction == "inbound" {
			return "the caller"
		}
		return "the person"
	case "callee":
		if direction == "inbound" {
			return "the person"
		}
		return "the other end"
	}
	return ""
}

// callRow is one call in the log, with what the detector found.
type callRow struct {
	ID          string                 `json:"id"`
	Direction   string                 `json:"direction"`
	From        string                 `json:"from"`
	To          string                 `json:"to"`
	CallerName  string                 `json:"caller_name,omitempty"`
	StartedAt   time.Time              `json:"started_at"`
	Seconds     int                    `json:"talk_seconds"`
	Outcome     string                 `json:"outcome"`
	Decision    string                 `json:"decision"`
	HungUpBy    string                 `json:"hung_up_by,omitempty"` // in words: "the caller", "clearline"...
	EndReason   string                 `json:"end_reason,omitempty"` // why clearline ended it, when it did
	Category    string                 `json:"category"`
	Reasons     []string               `json:"reasons"`
	Verdict     string                 `json:"verdict,omitempty"`
	Tactics     []string               `json:"tactics"`
	Explanation string                 `json:"explanation,omitempty"`
	Action      string                 `json:"action,omitempty"`
	Excerpt     []store.TranscriptLine `json:"transcript_excerpt,omitempty"`
	Emergency   bool                   `json:"emergency"`
}

var outcomes = []string{"in-progress", "answered", "completed", "busy", "no-answer", "cancelled", "rejected", "refused", "blocked", "challenge-failed", "failed", "interrupted"}

// excerptLines is how much of a flagged call's (already redacted)
// transcript the log shows.
const excerptLines = 4

func (s *Server) callLog(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, _, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	f := store.CallFilter{LineID: l.ID, Limit: 200}
	if o := r.URL.Query().Get("outcome"); o != "" {
		if !slices.Contains(outcomes, o) {
			return nil, invalid(fmt.Sprintf("%q is not a call outcome; use one of %s.", o, strings.Join(outcomes, ", ")), map[string]string{"outcome": "not a call outcome"})
		}
		f.Outcome = o
	}
	calls, err := s.cfg.Store.ListCalls(ctx, f)
	if err != nil {
		return nil, err
	}
	incs, err := s.cfg.Store.ListIncidents(ctx, store.IncidentFilter{LineID: l.ID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	byCall := map[string]store.Incident{}
	for _, in := range incs {
		byCall[in.CallID] = in
	}
	rows := []callRow{}
	for _, cl := range calls {
		row := callRow{ID: cl.ID, Direction: cl.Direction, From: cl.From, To: cl.To, CallerName: cl.CallerName, StartedAt: cl.StartedAt,
			Seconds: int(cl.Duration().Seconds()), Outcome: cl.Outcome, Decision: cl.Decision, Category: category(cl),
			Reasons: nonNil(cl.Reasons), Verdict: cl.Verdict, Tactics: nonNil(cl.Tactics), Emergency: cl.Emergency,
			HungUpBy: hungUpBy(cl.Direction, cl.HangupBy), EndReason: cl.EndReason}
		if in, ok := byCall[cl.ID]; ok {
			row.Verdict, row.Tactics, row.Explanation, row.Action = in.Verdict, nonNil(in.Tactics), in.Explanation, in.Action
			row.Category = "flagged"
			ex := in.Transcript
			if len(ex) > excerptLines {
				ex = ex[:excerptLines]
			}
			for _, t := range ex {
				if len(t.Text) > 240 {
					t.Text = t.Text[:240] + "…"
				}
				row.Excerpt = append(row.Excerpt, t)
			}
		}
		rows = append(rows, row)
	}
	return &view{Page: "calls", Title: "Call log: " + l.Name, Data: map[string]any{"calls": rows, "outcome": f.Outcome, "outcomes": outcomes}}, nil
}

// analystIncident is what an analyst sees of an incident: never the
// caller's number, the line, the family's names or the transcript.
type analystIncident struct {
	At       time.Time `json:"at"`
	District string    `json:"district"`
	Verdict  string    `json:"verdict"`
	Score    float64   `json:"score"`
	Tactics  []string  `json:"tactics"`
	Action   string    `json:"action"`
}

type wave struct {
	District string `json:"district"`
	Tactic   string `json:"tactic"`
	Calls    int    `json:"calls"`
}

func (s *Server) incidents(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	if err := requireRole(c, store.RoleAnalyst, store.RoleAdmin); err != nil {
		return nil, err
	}
	since := s.cfg.Now().AddDate(0, 0, -30)
	incs, err := s.cfg.Store.ListIncidents(r.Context(), store.IncidentFilter{Since: since, Limit: 10000})
	if err != nil {
		return nil, err
	}
	rows := []analystIncident{}
	tally := map[[2]string]int{}
	for _, in := range incs {
		d := in.District
		if d == "" {
			d = "unknown"
		}
		rows = append(rows, analystIncident{At: in.FlaggedAt, District: d, Verdict: in.Verdict, Score: in.Score, Tactics: nonNil(in.Tactics), Action: in.Action})
		for _, t := range in.Tactics {
			tally[[2]string{d, t}]++
		}
	}
	waves := []wave{}
	for k, n := range tally {
		waves = append(waves, wave{District: k[0], Tactic: k[1], Calls: n})
	}
	slices.SortFunc(waves, func(a, b wave) int {
		if a.Calls != b.Calls {
			return b.Calls - a.Calls
		}
		return strings.Compare(a.District+a.Tactic, b.District+b.Tactic)
	})
	return &view{Page: "incidents", Title: "Incidents by area", Data: map[string]any{"incidents": rows, "by_area": waves}}, nil
}

func (s *Server) live(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	// The last week's flags, so the page is not empty after a reload.
	incs, err := s.cfg.Store.ListIncidents(r.Context(), store.IncidentFilter{Since: s.cfg.Now().AddDate(0, 0, -7), Limit: 200})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	lines, err := s.visibleLines(r.Context(), c.user)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		names[l.ID] = l.Name
	}
	recent := []Event{}
	for _, in := range incs {
		e := IncidentEvent(in)
		switch c.user.Role {
		case store.RoleAnalyst:
			e = e.forAnalyst()
		case store.RoleCarer:
			if !slices.Contains(c.user.Lines, in.LineID) {
				continue
			}
			fallthrough
		default:
			e.LineName = names[in.LineID]
		}
		recent = append(recent, e)
		if len(recent) == 20 {
			break
		}
	}
	return &view{Page: "live", Title: "Live alerts", Data: map[string]any{"events_url": "/events", "recent": recent}}, nil
}

func (s *Server) lineChanges(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, _, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	es, err := s.cfg.Store.ListAudit(r.Context(), store.AuditFilter{LineID: l.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	return &view{Page: "changes", Title: "Changes: " + l.Name, Data: nonNil(es)}, nil
}

func (s *Server) allChanges(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	if err := requireRole(c, store.RoleAdmin); err != nil {
		return nil, err
	}
	es, err := s.cfg.Store.ListAudit(r.Context(), store.AuditFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	return &view{Page: "changes", Title: "All changes", Data: nonNil(es)}, nil
}

// ---- first-run setup, login, logout ----

func (s *Server) setupDone(ctx context.Context) (bool, error) {
	n, err := s.cfg.Store.CountUsers(ctx)
	return n > 0, err
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	done, err := s.setupDone(r.Context())
	if err != nil {
		return nil, err
	}
	if done {
		if c.api {
			return nil, statusErr(http.StatusConflict, "Setup is already done.")
		}
		return &view{Redirect: "/login"}, nil
	}
	return &view{Page: "setup", Title: "Set up clearline", Data: map[string]string{"csrf": c.session.CSRF}}, nil
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	v := &view{Page: "setup", Title: "Set up clearline"}
	done, err := s.setupDone(r.Context())
	if err != nil {
		return v, err
	}
	if done {
		return v, statusErr(http.StatusConflict, "Setup is already done: log in instead.")
	}
	f := c.form
	user, fields := accountFields(f, true)
	if len(fields) > 0 {
		return v, invalid("Please correct the highlighted fields.", fields)
	}
	hash, err := s.cfg.Hasher.Hash(f.Get("password"))
	if err != nil {
		return v, err
	}
	if err := s.cfg.Store.CreateFirstAdmin(r.Context(), store.User{Username: user, Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: s.cfg.Now()}); err != nil {
		if store.KindOf(err) == store.KindConflict {
			return v, statusErr(http.StatusConflict, "Setup is already done: log in instead.")
		}
		return v, err
	}
	c.user = store.User{Username: user, Role: store.RoleAdmin}
	s.audit(r.Context(), c, "", "setup", "created the administrator "+user)
	if err := s.startSession(w, r, user); err != nil {
		return v, err
	}
	if c.api {
		return &view{Status: http.StatusCreated, Flash: "Administrator created.", Data: map[string]string{"username": user}}, nil
	}
	return &view{Redirect: "/"}, nil
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, username string) error {
	tok, err := auth.NewToken()
	if err != nil {
		return err
	}
	csrf, err := auth.NewToken()
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	if err := s.cfg.Store.CreateSession(r.Context(), store.Session{TokenHash: auth.HashToken(tok), Username: username, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.cfg.CookieSecure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL.Seconds())})
	return nil
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	done, err := s.setupDone(r.Context())
	if err != nil {
		return nil, err
	}
	if !done && !c.api {
		return &view{Redirect: "/setup"}, nil
	}
	return &view{Page: "login", Title: "Log in", Form: url.Values{"next": {r.URL.Query().Get("next")}}, Data: map[string]string{"csrf": c.session.CSRF}}, nil
}

func clientAddr(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	v := &view{Page: "login", Title: "Log in"}
	f := c.form
	user := strings.TrimSpace(f.Get("username"))
	if user == "" || f.Get("password") == "" {
		fields := map[string]string{}
		if user == "" {
			fields["username"] = "Enter your username."
		}
		if f.Get("password") == "" {
			fields["password"] = "Enter your password."
		}
		return v, invalid("Enter your username and password.", fields)
	}
	addr := clientAddr(r)
	if p := s.loginLimited(user, addr); p != nil {
		return v, p
	}
	u, err := s.cfg.Store.GetUser(r.Context(), user)
	ok := false
	switch {
	case err == nil:
		ok = s.cfg.Hasher.Verify(u.PasswordHash, f.Get("password"))
	case store.IsNotFound(err):
		s.cfg.Hasher.VerifyMissing(f.Get("password"))
	default:
		return v, err
	}
	if !ok {
		s.loginFailed(user, addr)
		s.cfg.Log.Warn("dashboard login failed", "username", user, "addr", addr)
		return v, statusErr(http.StatusUnauthorized, "That username and password do not match.")
	}
	s.cfg.UserLimiter.Succeed(strings.ToLower(user))
	if err := s.startSession(w, r, u.Username); err != nil {
		return v, err
	}
	if c.api {
		return &view{Flash: "Logged in.", Data: map[string]string{"username": u.Username, "role": u.Role}}, nil
	}
	next := f.Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	return &view{Redirect: next}, nil
}

// loginLimited returns a 429 problem if the username or the client address
// has failed to give the right password too often lately (the rule for
// logins and for the current password of a password change), else nil.
func (s *Server) loginLimited(user, addr string) *problem {
	for _, lim := range []struct {
		l   *auth.Limiter
		key string
	}{{s.cfg.UserLimiter, strings.ToLower(user)}, {s.cfg.AddrLimiter, addr}} {
		if ok, wait := lim.l.Allow(lim.key); !ok {
			mins := int(wait.Minutes()) + 1
			return statusErr(http.StatusTooManyRequests, fmt.Sprintf("Too many failed attempts. Wait %d minute(s) and try again.", mins))
		}
	}
	return nil
}

// loginFailed counts a wrong password against the username and address.
func (s *Server) loginFailed(user, addr string) {
	s.cfg.UserLimiter.Fail(strings.ToLower(user))
	s.cfg.AddrLimiter.Fail(addr)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	if err := s.cfg.Store.DeleteSession(r.Context(), c.session.TokenHash); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.CookieSecure, SameSite: http.SameSiteLaxMode})
	return &view{Redirect: "/login", Flash: "Logged out."}, nil
}
