// Package web is the carer's dashboard and its JSON API: one set of
// handlers that render HTML pages (html/template, embedded assets, no
// front-end build step) or, under /api/, the same data as JSON.
//
// It owns HTTP: sessions in cookies, CSRF checks, roles, input validation
// with plain-English messages, and the live alert feed (server-sent
// events). Account security itself (hashing, tokens, the login rate
// limit) lives in web/auth; records live in the store; screening lists are
// changed through the screen.Line values the gateway decides with, so a
// change takes effect on the next call.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/numplan"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/web/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	sessionCookie = "clearline_session"
	preCSRFCookie = "clearline_csrf" // double-submit token for the login and setup forms
)

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// Config is what the dashboard needs.
type Config struct {
	Store store.Store
	// Lines are the screening lines the gateway decides with; the
	// dashboard changes their lists and policy in place.
	Lines  map[string]*screen.Line
	Parser *numplan.Parser
	// Location is the protected people's time zone ("today", quiet hours).
	Location *time.Location
	Log      *slog.Logger
	Now      func() time.Time
	Feed     *Feed
	// Metrics serves /metrics (nil: not found).
	Metrics http.Handler
	// CookieSecure marks cookies Secure (set when served over HTTPS).
	CookieSecure bool
	Hasher       auth.Hasher
	// Limiter limits failed logins (default 5 per 15 minutes per username
	// and 20 per client address).
	UserLimiter, AddrLimiter *auth.Limiter
	// OnScamChanged, if set, applies a line's new scam policy to the
	// in-call guard; without it the change is kept and applies at the next
	// start.
	OnScamChanged func(lineID, onScam string) bool
	// OnScam is each line's scam policy from the config file.
	OnScam map[string]string
}

// Server is the dashboard.
type Server struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New builds the dashboard.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Parser == nil {
		return nil, errors.New("web: store and number parser are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Feed == nil {
		cfg.Feed = NewFeed()
	}
	if cfg.Lines == nil {
		cfg.Lines = map[string]*screen.Line{}
	}
	if cfg.UserLimiter == nil {
		cfg.UserLimiter = auth.NewLimiter(5, 15*time.Minute, cfg.Now)
	}
	if cfg.AddrLimiter == nil {
		cfg.AddrLimiter = auth.NewLimiter(20, 15*time.Minute, cfg.Now)
	}
	s := &Server{cfg: cfg, pages: map[string]*template.Template{}}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// Feed returns the live feed the app publishes to.
func (s *Server) Feed() *Feed { return s.cfg.Feed }

func (s *Server) parseTemplates() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return fmt.Errorf("web templates: %w", err)
	}
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(s.cfg.Location).Format("Mon 2 Jan 15:04")
		},
		"join":     strings.Join,
		"contains": slices.Contains[[]string],
		"add":      func(a, b int) int { return a + b },
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return fmt.Errorf("web templates: %w", err)
		}
		s.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return nil
}

// Serve serves on l until ctx ends.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err := srv.Serve(l)
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("web serve: %w", err)
}

// ServeHTTP adds the security headers every response carries.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	s.mux.ServeHTTP(w, r)
}

// handler is a dashboard handler: it returns what to show, or an error.
type handler func(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error)

// reqCtx is one request's caller.
type reqCtx struct {
	user    store.User
	session store.Session
	api     bool
	form    url.Values
}

// view is what a handler shows: a page for browsers, Data for the API.
type view struct {
	Page   string
	Title  string
	Status int
	Data   any
	Flash  string
	// Problem is a validation failure: the summary and per-field messages.
	Problem *problem
	Form    url.Values
	// Redirect (browsers only) instead of a page.
	Redirect string
}

// problem is a rejected request, in words a carer understands.
type problem struct {
	Status  int               `json:"-"`
	Message string            `json:"error"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Rejected lists the lines of an import file that could not be used.
	Rejected []importRejection `json:"rejected,omitempty"`
}

func (p *problem) Error() string { return p.Message }

func invalid(msg string, fields map[string]string) *problem {
	return &problem{Status: http.StatusUnprocessableEntity, Message: msg, Fields: fields}
}

func statusErr(status int, msg string) *problem { return &problem{Status: status, Message: msg} }

var (
	errForbidden = statusErr(http.StatusForbidden, "You do not have access to this page.")
	errNotFound  = statusErr(http.StatusNotFound, "There is no such page.")
)

// page is what every template sees.
type page struct {
	*view
	User     *store.User
	CSRF     string
	Lines    []store.Line // the lines in the navigation
	Line     *store.Line  // the line this page is about
	LineNav  string       // which line tab is current
	Year     int
	Location string
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /static/", http.FileServerFS(staticFS))
	m.HandleFunc("GET /healthz", s.health)
	if s.cfg.Metrics != nil {
		m.Handle("GET /metrics", s.cfg.Metrics)
	}
	for _, p := range []string{"", "/api"} {
		m.HandleFunc("GET "+p+"/setup", s.public(s.setupForm))
		m.HandleFunc("POST "+p+"/setup", s.public(s.setup))
		m.HandleFunc("GET "+p+"/login", s.public(s.loginForm))
		m.HandleFunc("POST "+p+"/login", s.public(s.login))
	}
	m.HandleFunc("POST /logout", s.private(s.logout))
	m.HandleFunc("GET /events", s.events)

	both := func(pattern string, h handler) {
		method, path, _ := strings.Cut(pattern, " ")
		m.HandleFunc(method+" "+path, s.private(h))
		m.HandleFunc(method+" /api"+path, s.private(h))
	}
	m.HandleFunc("GET /{$}", s.private(s.home))
	m.HandleFunc("GET /api/lines", s.private(s.home))
	m.HandleFunc("GET /api/me", s.private(s.me))
	both("GET /lines/{line}", s.overview)
	both("GET /lines/{line}/calls", s.callLog)
	both("GET /lines/{line}/contacts", s.contacts)
	both("POST /lines/{line}/contacts", s.addContact)
	both("POST /lines/{line}/contacts/remove", s.removeContact)
	both("POST /lines/{line}/contacts/import", s.importContacts)
	both("GET /lines/{line}/blocked", s.blocked)
	both("POST /lines/{line}/blocked", s.addBlocked)
	both("POST /lines/{line}/blocked/remove", s.removeBlocked)
	both("GET /lines/{line}/alerts", s.recipients)
	both("POST /lines/{line}/alerts", s.addRecipient)
	both("POST /lines/{line}/alerts/remove", s.removeRecipient)
	both("GET /lines/{line}/settings", s.settings)
	both("POST /lines/{line}/settings", s.saveSettings)
	both("GET /lines/{line}/changes", s.lineChanges)
	both("GET /live", s.live)
	both("GET /incidents", s.incidents)
	both("GET /users", s.users)
	both("POST /users", s.createUser)
	both("POST /users/lines", s.setUserLines)
	both("GET /users/manage", s.manageUser)
	both("POST /users/password", s.resetPassword)
	both("POST /users/remove", s.removeUser)
	both("GET /account", s.account)
	both("POST /account/password", s.changePassword)
	both("GET /changes", s.allChanges)
	s.mux = m
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, code := "ok", http.StatusOK
	if _, err := s.cfg.Store.CountUsers(ctx); err != nil {
		status, code = "store unavailable", http.StatusServiceUnavailable
		s.cfg.Log.Error("health check", "error", err)
	}
	writeJSON(w, code, map[string]string{"status": status})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// public wraps the login and setup pages: no session, a double-submit
// CSRF cookie instead.
func (s *Server) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &reqCtx{api: isAPI(r)}
		tok := ""
		if ck, err := r.Cookie(preCSRFCookie); err == nil && len(ck.Value) >= 40 {
			tok = ck.Value
		} else {
			tok, _ = auth.NewToken()
			http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.cfg.CookieSecure, SameSite: http.SameSiteStrictMode})
		}
		c.session.CSRF = tok
		if !s.readPost(w, r, c, tok) {
			return
		}
		v, err := h(w, r, c)
		s.respond(w, r, c, v, err)
	}
}

// private wraps every page behind a login.
func (s *Server) private(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &reqCtx{api: isAPI(r)}
		u, se, err := s.sessionUser(r)
		if err != nil {
			if c.api {
				writeJSON(w, http.StatusUnauthorized, &problem{Message: "Log in first."})
				return
			}
			if n, err := s.cfg.Store.CountUsers(r.Context()); err == nil && n == 0 {
				http.Redirect(w, r, "/setup", http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		c.user, c.session = u, se
		if !s.readPost(w, r, c, se.CSRF) {
			return
		}
		v, err := h(w, r, c)
		s.respond(w, r, c, v, err)
	}
}

// readPost reads a POST's form or JSON into c.form and checks that it comes
// from this site with the CSRF token csrf. When it does not, it answers
// the request itself and returns false. Other methods pass as they are.
func (s *Server) readPost(w http.ResponseWriter, r *http.Request, c *reqCtx, csrf string) bool {
	if r.Method != http.MethodPost {
		return true
	}
	form, err := readInput(w, r)
	if err != nil {
		s.respond(w, r, c, nil, err)
		return false
	}
	c.form = form
	if !sameOrigin(r) || !auth.Equal(csrfFrom(r, form), csrf) {
		s.respond(w, r, c, nil, statusErr(http.StatusForbidden, "This form has expired. Reload the page and try again."))
		return false
	}
	return true
}

func csrfFrom(r *http.Request, form url.Values) string {
	if t := r.Header.Get("X-CSRF-Token"); t != "" {
		return t
	}
	return form.Get("csrf")
}

// sameOrigin refuses cross-site posts a browser labels with Origin.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" && r.Header.Get("Sec-Fetch-Site") == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (s *Server) sessionUser(r *http.Request) (store.User, store.Session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return store.User{}, store.Session{}, errors.New("no session")
	}
	se, err := s.cfg.Store.GetSession(r.Context(), auth.HashToken(ck.Value))
	if err != nil {
		return store.User{}, store.Session{}, err
	}
	if !s.cfg.Now().Before(se.ExpiresAt) {
		return store.User{}, store.Session{}, errors.New("session expired")
	}
	u, err := s.cfg.Store.GetUser(r.Context(), se.Username)
	return u, se, err
}

// maxBody bounds any request body (an import file included).
const maxBody = 2 << 20

// readInput reads a form, a multipart form or a JSON object of strings
// (or lists of strings) into url.Values.
func readInput(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		var raw map[string]any
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&raw); err != nil {
			return nil, invalid("The request is not a JSON object: "+err.Error(), nil)
		}
		v := url.Values{}
		for k, x := range raw {
			switch x := x.(type) {
			case string:
				v.Set(k, x)
			case bool:
				v.Set(k, fmt.Sprint(x))
			case []any:
				for _, e := range x {
					str, ok := e.(string)
					if !ok {
						return nil, invalid(fmt.Sprintf("%q must be a list of strings.", k), map[string]string{k: "must be a list of strings"})
					}
					v.Add(k, str)
				}
			default:
				return nil, invalid(fmt.Sprintf("%q must be a string.", k), map[string]string{k: "must be a string"})
			}
		}
		return v, nil
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return nil, invalid("The upload could not be read (files up to 2 MB).", nil)
		}
		return r.Form, nil
	default:
		if err := r.ParseForm(); err != nil {
			return nil, invalid("The form could not be read.", nil)
		}
		return r.PostForm, nil
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// respond renders v, or err.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, c *reqCtx, v *view, err error) {
	if err != nil {
		var p *problem
		if !errors.As(err, &p) {
			switch store.KindOf(err) {
			case store.KindNotFound:
				p = errNotFound
			case store.KindConflict:
				p = statusErr(http.StatusConflict, "That conflicts with something already stored.")
			case store.KindInvalid:
				p = invalid(err.Error(), nil)
			default:
				s.cfg.Log.Error("dashboard request", "path", r.URL.Path, "user", c.user.Username, "error", err)
				p = statusErr(http.StatusInternalServerError, "Something went wrong; nothing was changed. Try again, and tell the administrator if it keeps happening.")
			}
		}
		if c.api {
			writeJSON(w, p.Status, p)
			return
		}
		if v == nil {
			v = &view{Page: "error", Title: "Sorry"}
		}
		v.Problem, v.Status = p, p.Status
		if v.Form == nil {
			v.Form = c.form
		}
	}
	if c.api {
		status := v.Status
		if status == 0 {
			status = http.StatusOK
		}
		if r.Method == http.MethodPost {
			writeJSON(w, status, map[string]any{"ok": true, "message": v.Flash, "data": v.Data})
			return
		}
		writeJSON(w, status, v.Data)
		return
	}
	if v.Redirect != "" {
		http.Redirect(w, r, v.Redirect, http.StatusSeeOther)
		return
	}
	t := s.pages[v.Page]
	if t == nil {
		t = s.pages["error"]
	}
	pg := &page{view: v, CSRF: c.session.CSRF, Year: s.cfg.Now().Year(), Location: s.cfg.Location.String()}
	if pg.Location == "Local" {
		pg.Location = "the local time of the clearline server"
	}
	if c.user.Username != "" {
		u := c.user
		pg.User = &u
		pg.Lines, _ = s.visibleLines(r.Context(), u)
	}
	if id := r.PathValue("line"); id != "" && v.Page != "error" {
		if l, err := s.cfg.Store.GetLine(r.Context(), id); err == nil {
			pg.Line = &l
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status := v.Status
	if status == 0 {
		status = http.StatusOK
	}
	var b strings.Builder
	if err := t.Execute(&b, pg); err != nil {
		s.cfg.Log.Error("render page", "page", v.Page, "error", err)
		http.Error(w, "page could not be shown", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// visibleLines are the lines u may open.
func (s *Server) visibleLines(ctx context.Context, u store.User) ([]store.Line, error) {
	if u.Role == store.RoleAnalyst {
		return nil, nil
	}
	all, err := s.cfg.Store.ListLines(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role == store.RoleAdmin {
		return all, nil
	}
	var out []store.Line
	for _, l := range all {
		if slices.Contains(u.Lines, l.ID) {
			out = append(out, l)
		}
	}
	return out, nil
}

// line checks that the caller may open the line named in the path. A
// carer gets 403 for any line not theirs, whether it exists or not.
func (s *Server) line(r *http.Request, c *reqCtx) (store.Line, *screen.Line, error) {
	id := r.PathValue("line")
	switch c.user.Role {
	case store.RoleAdmin:
	case store.RoleCarer:
		if !slices.Contains(c.user.Lines, id) {
			return store.Line{}, nil, statusErr(http.StatusForbidden, "You do not look after this line.")
		}
	default:
		return store.Line{}, nil, statusErr(http.StatusForbidden, "Analysts see incidents by area, not individual lines.")
	}
	l, err := s.cfg.Store.GetLine(r.Context(), id)
	if err != nil {
		return l, nil, err
	}
	return l, s.cfg.Lines[id], nil
}

func requireRole(c *reqCtx, roles ...string) error {
	if !slices.Contains(roles, c.user.Role) {
		return errForbidden
	}
	return nil
}

// audit records a change; a change that cannot be recorded is logged.
func (s *Server) audit(ctx context.Context, c *reqCtx, lineID, action, detail string) {
	err := s.cfg.Store.RecordAudit(ctx, store.AuditEntry{At: s.cfg.Now(), Actor: c.user.Username, LineID: lineID, Action: action, Detail: detail})
	if err != nil {
		s.cfg.Log.Error("record audit", "user", c.user.Username, "action", action, "error", err)
	}
}

// Err is the message for a field that failed validation.
func (p *page) Err(field string) string {
	if p.Problem == nil {
		return ""
	}
	return p.Problem.Fields[field]
}

// Val is the value the person typed into a field (kept after a rejected
// form, so nothing has to be typed twice). Passwords are never echoed.
func (p *page) Val(field string) string {
	if field == "password" || field == "confirm" || field == "current" {
		return ""
	}
	return p.Form.Get(field)
}
