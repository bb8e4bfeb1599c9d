package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/web/auth"
)

// settingsData is a line's policy as the form shows it.
type settingsData struct {
	UnknownCallers  string `json:"unknown_callers"`
	WithheldCallers string `json:"withheld_callers"`
	QuietHours      string `json:"quiet_hours"`
	OnScam          string `json:"on_scam"`
	UpdatedBy       string `json:"updated_by,omitempty"`
	// OnScamLive says whether a change of OnScam applies to the next call
	// (true) or at clearline's next start.
	OnScamLive bool `json:"on_scam_applies_at_once"`
}

func quietString(q screen.QuietHours) string {
	if !q.Enabled() {
		return ""
	}
	return q.Start.String() + "-" + q.End.String()
}

func (s *Server) currentSettings(r *http.Request, l store.Line, sl *screen.Line) (settingsData, error) {
	d := settingsData{UnknownCallers: "challenge", WithheldCallers: "challenge", OnScam: "warn-and-end", OnScamLive: s.cfg.OnScamChanged != nil}
	if sl != nil {
		p := sl.Policy()
		d.UnknownCallers, d.WithheldCallers, d.QuietHours = p.UnknownAction.String(), p.AnonymousAction.String(), quietString(p.QuietHours)
	}
	if o := s.cfg.OnScam[l.ID]; o != "" {
		d.OnScam = o
	}
	ls, err := s.cfg.Store.GetLineSettings(r.Context(), l.ID)
	switch {
	case err == nil:
		d.OnScam, d.UpdatedBy = ls.OnScam, ls.UpdatedBy
		if sl == nil {
			d.UnknownCallers, d.WithheldCallers, d.QuietHours = ls.UnknownCallers, ls.WithheldCallers, ls.QuietHours
		}
	case !store.IsNotFound(err):
		return d, err
	}
	return d, nil
}

func (s *Server) settingsView(r *http.Request, l store.Line, sl *screen.Line) (*view, error) {
	d, err := s.currentSettings(r, l, sl)
	if err != nil {
		return nil, err
	}
	return &view{Page: "settings", Title: "Settings: " + l.Name, Data: d}, nil
}

func (s *Server) settings(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	return s.settingsView(r, l, sl)
}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.settingsView(r, l, sl) }
	f := c.form
	fields := map[string]string{}
	unknown, withheld, onScam := f.Get("unknown_callers"), f.Get("withheld_callers"), f.Get("on_scam")
	quiet := strings.TrimSpace(f.Get("quiet_hours"))
	if !slices.Contains([]string{"challenge", "block", "allow"}, unknown) {
		fields["unknown_callers"] = "Choose what happens to callers who are not trusted: challenge, block or allow."
	}
	if !slices.Contains([]string{"challenge", "block"}, withheld) {
		fields["withheld_callers"] = "Choose what happens to withheld numbers: challenge or block."
	}
	if !slices.Contains([]string{"warn-and-end", "warn-and-continue"}, onScam) {
		fields["on_scam"] = "Choose what happens on a scam call: warn and end, or warn and continue."
	}
	var p screen.Policy
	if sl != nil {
		p = sl.Policy()
	}
	p.QuietHours = screen.QuietHours{}
	if quiet != "" {
		q, err := screen.ParseQuietHours(quiet, s.cfg.Location)
		if err != nil {
			fields["quiet_hours"] = fmt.Sprintf("%q is not a time span like 21:00-08:00 (24-hour clock). Leave it empty for no quiet hours.", quiet)
		} else {
			p.QuietHours = q
			quiet = quietString(q)
		}
	}
	if len(fields) == 0 {
		p.UnknownAction, _ = screen.ParseAction(unknown)
		p.AnonymousAction, _ = screen.ParseAction(withheld)
		if err := p.Validate(); err != nil {
			fields["unknown_callers"] = capital(err.Error())
		}
	}
	if len(fields) > 0 {
		return s.failWith(r, c, back, invalid("The settings were not saved. Please correct the highlighted fields.", fields))
	}
	before, err := s.currentSettings(r, l, sl)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.PutLineSettings(r.Context(), store.LineSettings{LineID: l.ID, UnknownCallers: unknown, WithheldCallers: withheld,
		QuietHours: quiet, OnScam: onScam, UpdatedBy: c.user.Username, UpdatedAt: s.cfg.Now()}); err != nil {
		return nil, err
	}
	if sl != nil {
		if err := sl.SetPolicy(p); err != nil {
			return nil, err
		}
	}
	live := s.cfg.OnScamChanged != nil && s.cfg.OnScamChanged(l.ID, onScam)
	var changes []string
	for _, ch := range [][3]string{
		{"unknown callers", before.UnknownCallers, unknown},
		{"withheld callers", before.WithheldCallers, withheld},
		{"quiet hours", before.QuietHours, quiet},
		{"on a scam", before.OnScam, onScam},
	} {
		if ch[1] != ch[2] {
			changes = append(changes, fmt.Sprintf("%s: %s → %s", ch[0], orNone(ch[1]), orNone(ch[2])))
		}
	}
	if len(changes) == 0 {
		changes = []string{"saved without changes"}
	}
	s.audit(r.Context(), c, l.ID, "settings.save", strings.Join(changes, "; "))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = "Settings saved. Screening follows them from the next call."
	if before.OnScam != onScam && !live {
		v.Flash += " The scam setting applies when clearline next starts."
	}
	return v, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ---- users (administrators only) ----

type userRow struct {
	Username string   `json:"username"`
	Role     string   `json:"role"`
	Lines    []string `json:"lines"`
}

func (s *Server) usersView(r *http.Request) (*view, error) {
	us, err := s.cfg.Store.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	lines, err := s.cfg.Store.ListLines(r.Context())
	if err != nil {
		return nil, err
	}
	rows := []userRow{}
	for _, u := range us {
		rows = append(rows, userRow{Username: u.Username, Role: u.Role, Lines: nonNil(u.Lines)})
	}
	return &view{Page: "users", Title: "People who use the dashboard", Data: map[string]any{"users": rows, "lines": nonNil(lines)}}, nil
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	if err := requireRole(c, store.RoleAdmin); err != nil {
		return nil, err
	}
	return s.usersView(r)
}

// checkLines checks that every named line exists.
func (s *Server) checkLines(r *http.Request, ids []string) (string, error) {
	lines, err := s.cfg.Store.ListLines(r.Context())
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(lines, func(l store.Line) bool { return l.ID == id }) {
			return fmt.Sprintf("There is no line %q.", id), nil
		}
	}
	return "", nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	if err := requireRole(c, store.RoleAdmin); err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.usersView(r) }
	f := c.form
	user, fields := accountFields(f, false)
	role := f.Get("role")
	lines := f["lines"]
	switch role {
	case store.RoleAdmin, store.RoleAnalyst:
		if len(lines) > 0 {
			fields["lines"] = "Only carers are given lines: administrators see every line and analysts see incidents by area."
		}
	case store.RoleCarer:
		if len(lines) == 0 {
			fields["lines"] = "Choose at least one line this carer looks after."
		}
	default:
		fields["role"] = "Choose a role: administrator, carer or analyst."
	}
	if m, err := s.checkLines(r, lines); err != nil {
		return nil, err
	} else if m != "" {
		fields["lines"] = m
	}
	if len(fields) == 0 {
		if _, err := s.cfg.Store.GetUser(r.Context(), user); err == nil {
			fields["username"] = "That username is taken."
		}
	}
	if len(fields) > 0 {
		return s.failWith(r, c, back, invalid("The account was not created. Please correct the highlighted fields.", fields))
	}
	hash, err := s.cfg.Hasher.Hash(f.Get("password"))
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.CreateUser(r.Context(), store.User{Username: user, Role: role, PasswordHash: hash, Lines: lines, CreatedAt: s.cfg.Now()}); err != nil {
		if store.KindOf(err) == store.KindConflict {
			return s.failWith(r, c, back, invalid("The account was not created.", map[string]string{"username": "That username is taken."}))
		}
		return nil, err
	}
	s.audit(r.Context(), c, "", "user.create", fmt.Sprintf("%s (%s) lines: %s", user, role, orNone(strings.Join(lines, ", "))))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("Created the account %s. Give them their password in person or by phone, not by e-mail.", user)
	if c.api {
		v.Status = http.StatusCreated
	}
	return v, nil
}

func (s *Server) setUserLines(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	if err := requireRole(c, store.RoleAdmin); err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.usersView(r) }
	user := c.form.Get("username")
	u, err := s.cfg.Store.GetUser(r.Context(), user)
	if store.IsNotFound(err) {
		return s.failWith(r, c, back, invalid(fmt.Sprintf("There is no account %q.", user), map[string]string{"username": "no such account"}))
	}
	if err != nil {
		return nil, err
	}
	lines := c.form["lines"]
	if u.Role != store.RoleCarer {
		return s.failWith(r, c, back, invalid("Only carers are given lines.", map[string]string{"lines": "only carers are given lines"}))
	}
	if m, err := s.checkLines(r, lines); err != nil {
		return nil, err
	} else if m != "" {
		return s.failWith(r, c, back, invalid(m, map[string]string{"lines": m}))
	}
	if err := s.cfg.Store.SetUserLines(r.Context(), user, lines); err != nil {
		return nil, err
	}
	s.audit(r.Context(), c, "", "user.lines", fmt.Sprintf("%s: %s", user, orNone(strings.Join(lines, ", "))))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = "Saved the lines for " + user + "."
	return v, nil
}

// accountFields reads a new account's username and password from a form
// (setup and People) and returns the trimmed username and a message per
// field that is not acceptable; repeat asks for the password twice.
func accountFields(f url.Values, repeat bool) (string, map[string]string) {
	fields := map[string]string{}
	user := strings.TrimSpace(f.Get("username"))
	if err := auth.CheckUsername(user); err != nil {
		fields["username"] = capital(err.Error())
	}
	checkNewPassword(f, fields, repeat)
	return user, fields
}

// checkNewPassword adds to fields why the form's new password ("password")
// is not acceptable, by the same rules wherever a password is chosen
// (setup, a new account, a change, a reset), and, if repeat, whether
// "confirm" differs from it.
func checkNewPassword(f url.Values, fields map[string]string, repeat bool) {
	if err := auth.CheckPassword(f.Get("password")); err != nil {
		fields["password"] = capital(err.Error())
	} else if repeat && f.Get("password") != f.Get("confirm") {
		fields["confirm"] = "The two passwords are not the same."
	}
}
