package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqlite"
	"github.com/clearline/clearline/internal/web"
	"github.com/clearline/clearline/internal/web/auth"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	t     *testing.T
	st    store.Store
	srv   *httptest.Server
	web   *web.Server
	lines map[string]*screen.Line
	clock *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "clearline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sc, err := screen.New(screen.Config{HomeRegion: "GB"})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	lines := map[string]*screen.Line{}
	for _, id := range []string{"mum", "dad"} {
		if err := st.PutLine(ctx, store.Line{ID: id, Name: map[string]string{"mum": "Mum's landline", "dad": "Dad's landline"}[id], Postcode: "AL1 3XY", CreatedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		if lines[id], err = screen.NewLine(id, screen.Policy{}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := web.New(web.Config{Log: slog.New(slog.NewTextHandler(testWriter{t}, nil)), Store: st, Lines: lines, Parser: sc.Parser(), Location: time.UTC, Now: clk.Now,
		Hasher: auth.Hasher{Cost: bcrypt.MinCost}, OnScam: map[string]string{"mum": "warn-and-end"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return &fixture{t: t, st: st, srv: srv, web: w, lines: lines, clock: clk}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// client is one browser or API user with its own cookies.
type client struct {
	f    *fixture
	http *http.Client
	csrf string
}

func (f *fixture) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status int
	body   string
	json   map[string]any
}

func (c *client) do(method, path string, body io.Reader, ctype string) resp {
	c.f.t.Helper()
	req, err := http.NewRequest(method, c.f.srv.URL+path, body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, body: string(b)}
	_ = json.Unmarshal(b, &r.json)
	return r
}

func (c *client) get(path string) resp { return c.do("GET", path, nil, "") }

// message is the API's error message for field, or its general error
// when field is "".
func (r resp) message(field string) string {
	msg := r.json["error"]
	if field != "" {
		fields, _ := r.json["fields"].(map[string]any)
		msg = fields[field]
	}
	s, _ := msg.(string)
	return s
}

func (c *client) postJSON(path string, v any) resp {
	b, _ := json.Marshal(v)
	return c.do("POST", path, bytes.NewReader(b), "application/json")
}

func (c *client) postForm(path string, v url.Values) resp {
	return c.do("POST", path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// setup runs the first-run setup through the API and logs in as admin.
func (f *fixture) setup() *client {
	f.t.Helper()
	c := f.client()
	r := c.get("/api/setup")
	c.csrf, _ = r.json["csrf"].(string)
	if r = c.postJSON("/api/setup", map[string]string{"username": "admin", "password": "a long admin password", "confirm": "a long admin password"}); r.status != http.StatusCreated {
		f.t.Fatalf("setup: %d %s", r.status, r.body)
	}
	c.csrf, _ = c.get("/api/me").json["csrf"].(string)
	return c
}

func (f *fixture) login(user, pw string) *client {
	f.t.Helper()
	c := f.client()
	c.csrf, _ = c.get("/api/login").json["csrf"].(string)
	if r := c.postJSON("/api/login", map[string]string{"username": user, "password": pw}); r.status != http.StatusOK {
		f.t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	c.csrf, _ = c.get("/api/me").json["csrf"].(string)
	return c
}

// snapshot is everything a dashboard request could change.
type snapshot struct {
	Entries    map[string][]store.ListEntry
	Recipients map[string][]store.AlertRecipient
	Settings   map[string]store.LineSettings
	Users      []store.User
	Audit      []store.AuditEntry
	Contacts   map[string][]screen.Contact
	Blocked    map[string]int
	Policy     map[string]screen.Policy
}

func (f *fixture) snapshot() snapshot {
	f.t.Helper()
	ctx := context.Background()
	s := snapshot{Entries: map[string][]store.ListEntry{}, Recipients: map[string][]store.AlertRecipient{}, Settings: map[string]store.LineSettings{},
		Contacts: map[string][]screen.Contact{}, Blocked: map[string]int{}, Policy: map[string]screen.Policy{}}
	for id, l := range f.lines {
		for _, k := range []string{"trusted", "blocked"} {
			e, err := f.st.ListEntries(ctx, id, k)
			if err != nil {
				f.t.Fatal(err)
			}
			s.Entries[id+"/"+k] = e
		}
		s.Recipients[id], _ = f.st.ListAlertRecipients(ctx, id)
		s.Settings[id], _ = f.st.GetLineSettings(ctx, id)
		s.Contacts[id] = l.Contacts()
		s.Blocked[id] = l.Blocked().Len()
		s.Policy[id] = l.Policy()
	}
	s.Users, _ = f.st.ListUsers(ctx)
	s.Audit, _ = f.st.ListAudit(ctx, store.AuditFilter{Limit: 1000})
	return s
}

func TestFirstRunSetup(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	// Before setup every page leads to it.
	if r := c.get("/"); r.status != http.StatusSeeOther {
		t.Fatalf("GET / before setup: %d", r.status)
	}
	if r := c.get("/login"); r.status != http.StatusSeeOther {
		t.Fatalf("GET /login before setup: %d", r.status)
	}
	r := c.get("/setup")
	if r.status != 200 || !strings.Contains(r.body, "Create the administrator") {
		t.Fatalf("setup page: %d", r.status)
	}
	admin := f.setup()
	if r := admin.get("/api/me"); r.json["role"] != "admin" {
		t.Fatalf("after setup: %s", r.body)
	}
	// A second setup is refused and creates nobody.
	other := f.client()
	other.csrf, _ = other.get("/api/login").json["csrf"].(string)
	if r := other.postJSON("/api/setup", map[string]string{"username": "mallory", "password": "another long password", "confirm": "another long password"}); r.status != http.StatusConflict {
		t.Fatalf("second setup: %d %s", r.status, r.body)
	}
	if us, _ := f.st.ListUsers(context.Background()); len(us) != 1 {
		t.Fatalf("users after second setup: %+v", us)
	}
	audit, _ := f.st.ListAudit(context.Background(), store.AuditFilter{})
	if len(audit) != 1 || audit[0].Action != "setup" {
		t.Fatalf("audit %+v", audit)
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	before := f.snapshot()
	tests := []struct {
		name, token, origin string
	}{
		{"no token", "", ""},
		{"wrong token", "x" + admin.csrf, ""},
		{"other site", admin.csrf, "https://evil.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", f.srv.URL+"/api/lines/mum/contacts", strings.NewReader(`{"name":"X","number":"020 7183 8750"}`))
			req.Header.Set("Content-Type", "application/json")
			if tt.token != "" {
				req.Header.Set("X-CSRF-Token", tt.token)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			res, err := admin.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", res.StatusCode)
			}
		})
	}
	if after := f.snapshot(); !reflect.DeepEqual(before, after) {
		t.Fatalf("a forged request changed the store")
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t)
	f.setup()
	c := f.client()
	c.csrf, _ = c.get("/api/login").json["csrf"].(string)
	for i := 0; i < 5; i++ {
		if r := c.postJSON("/api/login", map[string]string{"username": "admin", "password": "wrong password!"}); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i+1, r.status, r.body)
		}
	}
	// The right password is refused too while the limit holds.
	r := c.postJSON("/api/login", map[string]string{"username": "admin", "password": "a long admin password"})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many failed attempts") {
		t.Fatalf("6th attempt: %d %s", r.status, r.body)
	}
	f.clock.Add(15*time.Minute + time.Second)
	if r := c.postJSON("/api/login", map[string]string{"username": "admin", "password": "a long admin password"}); r.status != http.StatusOK {
		t.Fatalf("after the window: %d %s", r.status, r.body)
	}
}

func TestSessionExpires(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	if r := admin.get("/api/lines"); r.status != 200 {
		t.Fatalf("lines: %d", r.status)
	}
	f.clock.Add(web.SessionTTL)
	if r := admin.get("/api/lines"); r.status != http.StatusUnauthorized {
		t.Fatalf("expired session: %d", r.status)
	}
}

// A carer sees only the lines they look after, through pages and the API;
// an analyst sees incidents by district only.
func TestAccessControl(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	for _, u := range []map[string]any{
		{"username": "daughter", "password": "daughter's password", "role": "carer", "lines": []string{"mum"}},
		{"username": "police", "password": "analyst's password", "role": "analyst"},
	} {
		if r := admin.postJSON("/api/users", u); r.status != http.StatusCreated {
			t.Fatalf("create %v: %d %s", u["username"], r.status, r.body)
		}
	}
	ctx := context.Background()
	inc := store.Incident{CallID: "c1", LineID: "dad", Caller: "+442071838750", District: "AL1", Verdict: "scam", Tactics: []string{"authority:police"},
		Explanation: "posed as police", Transcript: []store.TranscriptLine{{Speaker: "caller", Text: "this is DC Smith"}}, FlaggedAt: f.clock.Now()}
	if err := f.st.RecordIncident(ctx, inc, nil); err != nil {
		t.Fatal(err)
	}
	carer := f.login("daughter", "daughter's password")
	analyst := f.login("police", "analyst's password")
	tests := []struct {
		name   string
		c      *client
		path   string
		status int
	}{
		{"carer own line", carer, "/api/lines/mum/calls", 200},
		{"carer own line page", carer, "/lines/mum", 200},
		{"carer other line api", carer, "/api/lines/dad/calls", 403},
		{"carer other line page", carer, "/lines/dad/calls", 403},
		{"carer other line contacts", carer, "/api/lines/dad/contacts", 403},
		{"carer missing line", carer, "/api/lines/nosuch", 403},
		{"carer users", carer, "/api/users", 403},
		{"carer incidents", carer, "/api/incidents", 403},
		{"analyst line", analyst, "/api/lines/mum/calls", 403},
		{"analyst incidents", analyst, "/api/incidents", 200},
		{"admin any line", admin, "/api/lines/dad/calls", 200},
		{"admin missing line", admin, "/api/lines/nosuch", 404},
		{"nobody", f.client(), "/api/lines/mum/calls", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := tt.c.get(tt.path); r.status != tt.status {
				t.Fatalf("GET %s = %d, want %d: %s", tt.path, r.status, tt.status, r.body)
			}
		})
	}
	// The carer cannot change another family's line either.
	before := f.snapshot()
	if r := carer.postJSON("/api/lines/dad/contacts", map[string]string{"name": "Eve", "number": "020 7183 8750"}); r.status != 403 {
		t.Fatalf("carer adding to dad: %d", r.status)
	}
	if !reflect.DeepEqual(before, f.snapshot()) {
		t.Fatal("a forbidden request changed the store")
	}
	// The carer's home page lists only their line.
	if r := carer.get("/"); strings.Contains(r.body, "Dad&#39;s landline") || !strings.Contains(r.body, "Mum&#39;s landline") {
		t.Fatalf("carer home page shows the wrong lines")
	}
	// Analysts see the district and tactics, never caller, line or words.
	r := analyst.get("/api/incidents")
	for _, secret := range []string{"+442071838750", "dad", "DC Smith", "posed as police", "Dad's"} {
		if strings.Contains(r.body, secret) {
			t.Errorf("analyst sees %q: %s", secret, r.body)
		}
	}
	if !strings.Contains(r.body, "AL1") || !strings.Contains(r.body, "authority:police") {
		t.Errorf("analyst view lacks district or tactic: %s", r.body)
	}
}

// Every bad value gets a clear message, and nothing stored changes.
func TestValidationChangesNothing(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	if r := admin.postJSON("/api/lines/mum/contacts", map[string]string{"name": "Dr Patel", "number": "020 7183 8750"}); r.status != 200 {
		t.Fatalf("add contact: %d %s", r.status, r.body)
	}
	if r := admin.postJSON("/api/lines/mum/blocked", map[string]string{"number": "020 7183 8751"}); r.status != 200 {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	tests := []struct {
		name  string
		path  string
		body  map[string]any
		field string // the field the message names ("" : only the summary)
		want  string // part of the message
	}{
		{"contact without name", "/api/lines/mum/contacts", map[string]any{"number": "020 7183 8752"}, "name", "Enter a name"},
		{"contact without number", "/api/lines/mum/contacts", map[string]any{"name": "Jo"}, "number", "Enter a phone number"},
		{"contact letters", "/api/lines/mum/contacts", map[string]any{"name": "Jo", "number": "call me"}, "number", "not a phone number"},
		{"contact drama range", "/api/lines/mum/contacts", map[string]any{"name": "Jo", "number": "01632 960123"}, "number", "drama range"},
		{"contact invalid number", "/api/lines/mum/contacts", map[string]any{"name": "Jo", "number": "020 1234"}, "number", "not a valid number"},
		{"contact blocked", "/api/lines/mum/contacts", map[string]any{"name": "Jo", "number": "020 7183 8751"}, "number", "block list"},
		{"contact long name", "/api/lines/mum/contacts", map[string]any{"name": strings.Repeat("a", 81), "number": "020 7183 8752"}, "name", "at most 80"},
		{"contact control chars", "/api/lines/mum/contacts", map[string]any{"name": "Jo\x00", "number": "020 7183 8752"}, "name", "control"},
		{"contact number not a string", "/api/lines/mum/contacts", map[string]any{"name": "Jo", "number": 2071838752}, "number", "must be a string"},
		{"remove unknown contact", "/api/lines/mum/contacts/remove", map[string]any{"number": "020 7183 8759"}, "number", "not one of"},
		{"block trusted", "/api/lines/mum/blocked", map[string]any{"number": "+442071838750"}, "number", "trusted contact"},
		{"block garbage", "/api/lines/mum/blocked", map[string]any{"number": "<script>"}, "number", "not a phone number"},
		{"unblock not blocked", "/api/lines/mum/blocked/remove", map[string]any{"number": "020 7183 8759"}, "number", "not on this line"},
		{"recipient bad email", "/api/lines/mum/alerts", map[string]any{"channel": "email", "target": "son at example"}, "target", "not an e-mail address"},
		{"recipient named email", "/api/lines/mum/alerts", map[string]any{"channel": "email", "target": "Son <son@example.org>"}, "target", "not an e-mail address"},
		{"recipient ftp webhook", "/api/lines/mum/alerts", map[string]any{"channel": "webhook", "target": "ftp://example.org/x"}, "target", "not a web address"},
		{"recipient bad channel", "/api/lines/mum/alerts", map[string]any{"channel": "sms", "target": "07700900123"}, "channel", "e-mail or webhook"},
		{"remove unknown recipient", "/api/lines/mum/alerts/remove", map[string]any{"channel": "email", "target": "nobody@example.org"}, "target", "not one of"},
		{"settings bad unknown", "/api/lines/mum/settings", map[string]any{"unknown_callers": "shout", "withheld_callers": "block", "on_scam": "warn-and-end"}, "unknown_callers", "challenge, block or allow"},
		{"settings allow withheld", "/api/lines/mum/settings", map[string]any{"unknown_callers": "block", "withheld_callers": "allow", "on_scam": "warn-and-end"}, "withheld_callers", "challenge or block"},
		{"settings bad quiet", "/api/lines/mum/settings", map[string]any{"unknown_callers": "block", "withheld_callers": "block", "quiet_hours": "25:00-08:00", "on_scam": "warn-and-end"}, "quiet_hours", "21:00-08:00"},
		{"settings quiet words", "/api/lines/mum/settings", map[string]any{"unknown_callers": "block", "withheld_callers": "block", "quiet_hours": "night", "on_scam": "warn-and-end"}, "quiet_hours", "time span"},
		{"settings bad scam", "/api/lines/mum/settings", map[string]any{"unknown_callers": "block", "withheld_callers": "block", "on_scam": "hang-up"}, "on_scam", "warn and end"},
		{"user short password", "/api/users", map[string]any{"username": "son", "password": "short", "role": "carer", "lines": []string{"mum"}}, "password", "at least 10"},
		{"user bad name", "/api/users", map[string]any{"username": "a b", "password": "long enough pw", "role": "carer", "lines": []string{"mum"}}, "username", "letters, digits"},
		{"user bad role", "/api/users", map[string]any{"username": "son", "password": "long enough pw", "role": "root"}, "role", "Choose a role"},
		{"carer without lines", "/api/users", map[string]any{"username": "son", "password": "long enough pw", "role": "carer"}, "lines", "at least one line"},
		{"carer unknown line", "/api/users", map[string]any{"username": "son", "password": "long enough pw", "role": "carer", "lines": []string{"gran"}}, "lines", "no line"},
		{"analyst with lines", "/api/users", map[string]any{"username": "cop", "password": "long enough pw", "role": "analyst", "lines": []string{"mum"}}, "lines", "Only carers"},
		{"taken username", "/api/users", map[string]any{"username": "admin", "password": "long enough pw", "role": "admin"}, "username", "taken"},
		{"lines of missing user", "/api/users/lines", map[string]any{"username": "ghost", "lines": []string{"mum"}}, "username", "no such"},
		{"import empty", "/api/lines/mum/contacts/import", map[string]any{"text": ""}, "file", "Choose a contacts file"},
		{"import bad format", "/api/lines/mum/contacts/import", map[string]any{"text": "Jo,020 7183 8752", "format": "xls"}, "format", "vcf or csv"},
		{"import bad line", "/api/lines/mum/contacts/import", map[string]any{"text": "name,number\nJo,020 7183 8752\nEve,not a number\n", "format": "csv"}, "file", "Nothing was imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot()
			r := admin.postJSON(tt.path, tt.body)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", r.status, r.body)
			}
			if msg := r.message(tt.field); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q (%s)", msg, tt.want, r.body)
			}
			if after := f.snapshot(); !reflect.DeepEqual(before, after) {
				t.Errorf("a rejected request changed what is stored:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
	// The same checks answer browsers with the page, the message and the
	// typed value kept.
	r := admin.postForm("/lines/mum/contacts", url.Values{"csrf": {admin.csrf}, "name": {"Jo"}, "number": {"call me"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is not a phone number") || !strings.Contains(r.body, `value="call me"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Fatalf("form error page: %d\n%s", r.status, r.body)
	}
}

// Dashboard changes reach the screening line at once and are audited.
func TestChangesApplyAndAreAudited(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	steps := []struct {
		path   string
		body   map[string]any
		action string
	}{
		{"/api/lines/mum/contacts", map[string]any{"name": "Dr Patel", "number": "020 7183 8750"}, "trusted.add"},
		{"/api/lines/mum/contacts", map[string]any{"name": "Dr A. Patel", "number": "+44 20 7183 8750"}, "trusted.edit"},
		{"/api/lines/mum/blocked", map[string]any{"number": "020 7183 8751", "note": "fake bank"}, "blocked.add"},
		{"/api/lines/mum/alerts", map[string]any{"channel": "email", "target": "son@example.org", "name": "Son"}, "alerts.add"},
		{"/api/lines/mum/settings", map[string]any{"unknown_callers": "block", "withheld_callers": "block", "quiet_hours": "21:00-08:00", "on_scam": "warn-and-continue"}, "settings.save"},
	}
	for _, s := range steps {
		if r := admin.postJSON(s.path, s.body); r.status != 200 {
			t.Fatalf("%s: %d %s", s.path, r.status, r.body)
		}
	}
	mum := f.lines["mum"]
	cs := mum.Contacts()
	if len(cs) != 1 || cs[0].Name != "Dr A. Patel" || cs[0].Number.String() != "+442071838750" {
		t.Fatalf("screening contacts %+v", cs)
	}
	if mum.Blocked().Len() != 1 {
		t.Fatal("block did not reach the screening line")
	}
	p := mum.Policy()
	if p.UnknownAction != screen.Block || p.AnonymousAction != screen.Block || !p.QuietHours.Enabled() {
		t.Fatalf("policy %+v", p)
	}
	if got := admin.get("/api/lines/mum/settings").json["on_scam"]; got != "warn-and-continue" {
		t.Fatalf("on_scam %v", got)
	}
	audit, _ := f.st.ListAudit(context.Background(), store.AuditFilter{LineID: "mum"})
	var actions []string
	for _, e := range audit {
		actions = append([]string{e.Action}, actions...)
		if e.Actor != "admin" || e.At.IsZero() {
			t.Errorf("audit entry %+v", e)
		}
	}
	want := []string{"trusted.add", "trusted.edit", "blocked.add", "alerts.add", "settings.save"}
	if !reflect.DeepEqual(actions, want) {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}
	if r := admin.get("/lines/mum/changes"); !strings.Contains(r.body, "quiet hours: none → 21:00-08:00") {
		t.Errorf("changes page lacks the settings change")
	}
	// Removing goes the same way.
	for _, s := range []struct{ path, number string }{{"/api/lines/mum/contacts/remove", "+442071838750"}, {"/api/lines/mum/blocked/remove", "02071838751"}} {
		if r := admin.postJSON(s.path, map[string]string{"number": s.number}); r.status != 200 {
			t.Fatalf("%s: %d %s", s.path, r.status, r.body)
		}
	}
	if len(mum.Contacts()) != 0 || mum.Blocked().Len() != 0 {
		t.Fatal("removal did not reach the screening line")
	}
}

func TestImportContacts(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dr Patel\r\nTEL;TYPE=WORK:020 7183 8750\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Auntie Jo\r\nTEL:+44 20 7183 8752\r\nEND:VCARD\r\n"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", admin.csrf)
	fw, _ := mw.CreateFormFile("file", "contacts.vcf")
	fw.Write([]byte(vcf))
	mw.Close()
	r := admin.do("POST", "/lines/mum/contacts/import", &buf, mw.FormDataContentType())
	if r.status != 200 || !strings.Contains(r.body, "Imported 2 contacts") {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if n := len(f.lines["mum"].Contacts()); n != 2 {
		t.Fatalf("%d contacts after import", n)
	}
}

func TestHealthAndLive(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	if r := c.get("/healthz"); r.status != 200 || r.json["status"] != "ok" {
		t.Fatalf("health: %d %s", r.status, r.body)
	}
	if r := c.get("/events"); r.status != http.StatusUnauthorized {
		t.Fatalf("events without login: %d", r.status)
	}
}

// The live feed sends a carer their own lines' incidents only.
func TestEventsFiltered(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	admin.postJSON("/api/users", map[string]any{"username": "daughter", "password": "daughter's password", "role": "carer", "lines": []string{"mum"}})
	carer := f.login("daughter", "daughter's password")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/events", nil)
	res, err := carer.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	for f.web.Feed().Subscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	f.web.Feed().Publish(web.Event{Kind: "incident", LineID: "dad", Verdict: "scam", Caller: "+441"})
	f.web.Feed().Publish(web.Event{Kind: "incident", LineID: "mum", Verdict: "suspicious", Caller: "+442071838750", Tactics: []string{"urgency"}})
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 1024)
	for !bytes.Contains(buf, []byte("+442071838750")) {
		n, err := res.Body.Read(tmp)
		if err != nil {
			t.Fatalf("read events: %v (got %q)", err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
	if bytes.Contains(buf, []byte(`"dad"`)) {
		t.Fatalf("carer got another line's event: %s", buf)
	}
	if !bytes.Contains(buf, []byte("event: incident\ndata: ")) || !bytes.Contains(buf, []byte(`"line_name":"Mum's landline"`)) {
		t.Fatalf("events %s", buf)
	}

	// An analyst gets every line's events with the district only.
	admin.postJSON("/api/users", map[string]any{"username": "police", "password": "analyst's password", "role": "analyst"})
	analyst := f.login("police", "analyst's password")
	req, _ = http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/events", nil)
	ares, err := analyst.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer ares.Body.Close()
	for f.web.Feed().Subscribers() < 2 {
		time.Sleep(time.Millisecond)
	}
	f.web.Feed().Publish(web.Event{Kind: "incident", LineID: "dad", LineName: "Dad's landline", CallID: "c9", Verdict: "scam", Caller: "+442071838750", District: "SW1A", Tactics: []string{"courier"}})
	buf = buf[:0]
	for !bytes.Contains(buf, []byte("courier")) {
		n, err := ares.Body.Read(tmp)
		if err != nil {
			t.Fatalf("read analyst events: %v (got %q)", err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
	for _, secret := range []string{"+442071838750", "dad", "Dad", "c9"} {
		if bytes.Contains(buf, []byte(secret)) {
			t.Errorf("analyst event shows %q: %s", secret, buf)
		}
	}
	if !bytes.Contains(buf, []byte(`"district":"SW1A"`)) {
		t.Errorf("analyst event lacks the district: %s", buf)
	}
}
