package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/clearline/clearline/internal/store"
)

const (
	adminPass    = "a long admin password"
	daughterPass = "daughter's password"
)

// loggedIn reports whether c's session still authenticates.
func (c *client) loggedIn() bool {
	c.f.t.Helper()
	return c.get("/api/me").status == http.StatusOK
}

// withoutCSRF is c's browser (same cookies) sending no CSRF token.
func (c *client) withoutCSRF() *client { return &client{f: c.f, http: c.http} }

// createUsers adds a carer of mum and an analyst.
func (f *fixture) createUsers(admin *client) {
	f.t.Helper()
	for _, u := range []map[string]any{
		{"username": "daughter", "password": daughterPass, "role": "carer", "lines": []string{"mum"}},
		{"username": "police", "password": "analyst's password", "role": "analyst"},
	} {
		if r := admin.postJSON("/api/users", u); r.status != http.StatusCreated {
			f.t.Fatalf("create %v: %d %s", u["username"], r.status, r.body)
		}
	}
}

// auditNeverHolds fails if any audit entry mentions one of the secrets.
func (f *fixture) auditNeverHolds(secrets ...string) {
	f.t.Helper()
	es, _ := f.st.ListAudit(context.Background(), store.AuditFilter{Limit: 1000})
	for _, e := range es {
		for _, s := range secrets {
			if strings.Contains(e.Detail, s) || strings.Contains(e.Action, s) {
				f.t.Errorf("audit entry %+v holds the password %q", e, s)
			}
		}
	}
}

// lastAudit returns the newest audit entry.
func (f *fixture) lastAudit() store.AuditEntry {
	f.t.Helper()
	es, err := f.st.ListAudit(context.Background(), store.AuditFilter{Limit: 1})
	if err != nil || len(es) == 0 {
		f.t.Fatalf("no audit entry: %v", err)
	}
	return es[0]
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	f.createUsers(admin)
	here := f.login("daughter", daughterPass)
	elsewhere := f.login("daughter", daughterPass)
	const newPass = "a brand new password"

	tests := []struct {
		name   string
		c      *client
		body   map[string]any
		status int
		field  string // the field the message names ("" : the summary)
		want   string
	}{
		{"no current password", here, map[string]any{"password": newPass, "confirm": newPass}, 422, "current", "Enter your current password"},
		{"wrong current password", here, map[string]any{"current": "not my password", "password": newPass, "confirm": newPass}, 422, "current", "not your current password"},
		{"repeat differs", here, map[string]any{"current": daughterPass, "password": newPass, "confirm": newPass + "!"}, 422, "confirm", "not the same"},
		{"too short", here, map[string]any{"current": daughterPass, "password": "short", "confirm": "short"}, 422, "password", "at least 10"},
		{"only spaces", here, map[string]any{"current": daughterPass, "password": strings.Repeat(" ", 12), "confirm": strings.Repeat(" ", 12)}, 422, "password", "only spaces"},
		{"too long", here, map[string]any{"current": daughterPass, "password": strings.Repeat("x", 73), "confirm": strings.Repeat("x", 73)}, 422, "password", "at most 72"},
		{"same as now", here, map[string]any{"current": daughterPass, "password": daughterPass, "confirm": daughterPass}, 422, "password", "same as the current"},
		{"not a string", here, map[string]any{"current": daughterPass, "password": 12345678901, "confirm": newPass}, 422, "password", "must be a string"},
		{"missing CSRF", here.withoutCSRF(), map[string]any{"current": daughterPass, "password": newPass, "confirm": newPass}, 403, "", "expired"},
		{"not logged in", f.client(), map[string]any{"current": daughterPass, "password": newPass, "confirm": newPass}, 401, "", "Log in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot()
			r := tt.c.postJSON("/api/account/password", tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if msg := r.message(tt.field); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q (%s)", msg, tt.want, r.body)
			}
			if !reflect.DeepEqual(before, f.snapshot()) {
				t.Error("a rejected password change changed what is stored")
			}
			if !here.loggedIn() || !elsewhere.loggedIn() {
				t.Error("a rejected password change ended a session")
			}
		})
	}

	// The page has a labelled field for each password, and a link from
	// every page's navigation.
	r := here.get("/account")
	for _, want := range []string{`<label for="f-current">`, `<label for="f-password">`, `<label for="f-confirm">`, `autocomplete="current-password"`, `name="csrf" value="` + here.csrf, `<a href="/account">Your account</a>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	if r := here.get("/api/account"); r.json["username"] != "daughter" || r.json["role"] != "carer" {
		t.Errorf("GET /api/account: %s", r.body)
	}

	// Browsers get the page back with the message, never the passwords.
	r = here.postForm("/account/password", url.Values{"current": {daughterPass}, "password": {newPass}, "confirm": {"something else"}})
	if r.status != 422 || !strings.Contains(r.body, "The two passwords are not the same.") || !strings.Contains(r.body, `aria-invalid="true"`) ||
		strings.Contains(r.body, daughterPass) || strings.Contains(r.body, newPass) {
		t.Fatalf("form error page: %d\n%s", r.status, r.body)
	}

	// Success: this session stays, the other one ends, the new password
	// logs in and the old one does not.
	adminOther := f.login("admin", adminPass)
	if r := here.postForm("/account/password", url.Values{"current": {daughterPass}, "password": {newPass}, "confirm": {newPass}}); r.status != 200 || !strings.Contains(r.body, "Your password is changed") {
		t.Fatalf("change password: %d %s", r.status, r.body)
	}
	if !here.loggedIn() {
		t.Error("the session that changed the password was ended")
	}
	if elsewhere.loggedIn() {
		t.Error("another session of the same person still works after a password change")
	}
	if !admin.loggedIn() || !adminOther.loggedIn() {
		t.Error("someone else's sessions were ended")
	}
	c := f.client()
	c.csrf, _ = c.get("/api/login").json["csrf"].(string)
	if r := c.postJSON("/api/login", map[string]string{"username": "daughter", "password": daughterPass}); r.status != http.StatusUnauthorized {
		t.Errorf("old password: %d", r.status)
	}
	f.login("daughter", newPass)
	if e := f.lastAudit(); e.Actor != "daughter" || e.Action != "password.change" || e.At.IsZero() {
		t.Errorf("audit %+v", e)
	}
	f.auditNeverHolds(daughterPass, newPass, adminPass)

	// The API answers the same handler.
	if r := admin.postJSON("/api/account/password", map[string]string{"current": adminPass, "password": "admin's new password", "confirm": "admin's new password"}); r.status != 200 || r.json["ok"] != true {
		t.Fatalf("API change: %d %s", r.status, r.body)
	}
	if adminOther.loggedIn() || !admin.loggedIn() {
		t.Error("the API change did not end exactly the other sessions")
	}
}

// A wrong current password counts toward the login rate limit.
func TestChangePasswordRateLimit(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	for i := 0; i < 5; i++ {
		if r := admin.postJSON("/api/account/password", map[string]string{"current": "guess number one", "password": "a brand new password", "confirm": "a brand new password"}); r.status != 422 {
			t.Fatalf("guess %d: %d %s", i+1, r.status, r.body)
		}
	}
	before := f.snapshot()
	r := admin.postJSON("/api/account/password", map[string]string{"current": adminPass, "password": "a brand new password", "confirm": "a brand new password"})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many failed attempts") {
		t.Fatalf("after 5 wrong guesses: %d %s", r.status, r.body)
	}
	if !reflect.DeepEqual(before, f.snapshot()) {
		t.Fatal("a rate-limited change changed the store")
	}
	c := f.client()
	c.csrf, _ = c.get("/api/login").json["csrf"].(string)
	if r := c.postJSON("/api/login", map[string]string{"username": "admin", "password": adminPass}); r.status != http.StatusTooManyRequests {
		t.Fatalf("login after 5 wrong current passwords: %d", r.status)
	}
}

func TestManageAccounts(t *testing.T) {
	f := newFixture(t)
	admin := f.setup()
	f.createUsers(admin)
	carer := f.login("daughter", daughterPass)
	carer2 := f.login("daughter", daughterPass)
	analyst := f.login("police", "analyst's password")
	const reset = "a reset password"

	tests := []struct {
		name   string
		c      *client
		path   string
		body   map[string]any
		status int
		field  string
		want   string
	}{
		{"carer removes", carer, "/api/users/remove", map[string]any{"username": "police"}, 403, "", "do not have access"},
		{"carer resets", carer, "/api/users/password", map[string]any{"username": "admin", "password": reset, "confirm": reset}, 403, "", "do not have access"},
		{"analyst removes", analyst, "/api/users/remove", map[string]any{"username": "daughter"}, 403, "", "do not have access"},
		{"analyst resets", analyst, "/api/users/password", map[string]any{"username": "daughter", "password": reset, "confirm": reset}, 403, "", "do not have access"},
		{"remove yourself, the last administrator", admin, "/api/users/remove", map[string]any{"username": "admin"}, 422, "", "cannot remove your own"},
		{"remove nobody", admin, "/api/users/remove", map[string]any{"username": "ghost"}, 422, "username", "no such"},
		{"remove without a name", admin, "/api/users/remove", map[string]any{}, 422, "username", "no such"},
		{"reset nobody", admin, "/api/users/password", map[string]any{"username": "ghost", "password": reset, "confirm": reset}, 422, "username", "no such"},
		{"reset yourself", admin, "/api/users/password", map[string]any{"username": "admin", "password": reset, "confirm": reset}, 422, "", "Your account"},
		{"reset too short", admin, "/api/users/password", map[string]any{"username": "daughter", "password": "short", "confirm": "short"}, 422, "password", "at least 10"},
		{"reset repeat differs", admin, "/api/users/password", map[string]any{"username": "daughter", "password": reset, "confirm": "another one!"}, 422, "confirm", "not the same"},
		{"reset without repeat", admin, "/api/users/password", map[string]any{"username": "daughter", "password": reset}, 422, "confirm", "not the same"},
		{"remove without CSRF", admin.withoutCSRF(), "/api/users/remove", map[string]any{"username": "daughter"}, 403, "", "expired"},
		{"reset without CSRF", admin.withoutCSRF(), "/api/users/password", map[string]any{"username": "daughter", "password": reset, "confirm": reset}, 403, "", "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot()
			r := tt.c.postJSON(tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if msg := r.message(tt.field); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q (%s)", msg, tt.want, r.body)
			}
			if !reflect.DeepEqual(before, f.snapshot()) {
				t.Error("a rejected request changed what is stored")
			}
			for _, c := range []*client{admin, carer, carer2, analyst} {
				if !c.loggedIn() {
					t.Fatal("a rejected request ended a session")
				}
			}
		})
	}
	for _, c := range []*client{carer, analyst} {
		if r := c.get("/users/manage?username=daughter"); r.status != 403 {
			t.Errorf("non-admin opens the manage page: %d", r.status)
		}
	}

	// The manage page has labelled, CSRF-protected forms; a rejected
	// reset comes back on it with the message and no password.
	r := admin.get("/users/manage?username=daughter")
	for _, want := range []string{`<label for="f-password">`, `<label for="f-confirm">`, `name="csrf" value="` + admin.csrf, `action="/users/remove"`, "data-confirm="} {
		if !strings.Contains(r.body, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	r = admin.postForm("/users/password", url.Values{"username": {"daughter"}, "password": {reset}, "confirm": {"typo " + reset}})
	if r.status != 422 || !strings.Contains(r.body, "Manage daughter") || !strings.Contains(r.body, `aria-invalid="true"`) || strings.Contains(r.body, reset) {
		t.Fatalf("rejected reset page: %d\n%s", r.status, r.body)
	}
	if r := admin.get("/users"); !strings.Contains(r.body, `href="/users/manage?username=daughter"`) {
		t.Error("the People page does not link to managing daughter")
	}

	// Reset: both of daughter's sessions end; the new password works.
	if r := admin.postForm("/users/password", url.Values{"username": {"daughter"}, "password": {reset}, "confirm": {reset}}); r.status != 200 || !strings.Contains(r.body, "logged them out everywhere") {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if carer.loggedIn() || carer2.loggedIn() {
		t.Error("a reset left the person's sessions working")
	}
	if !admin.loggedIn() || !analyst.loggedIn() {
		t.Error("a reset ended someone else's session")
	}
	if e := f.lastAudit(); e.Actor != "admin" || e.Action != "user.password" || !strings.Contains(e.Detail, "daughter") {
		t.Errorf("audit %+v", e)
	}
	carer = f.login("daughter", reset)

	// Remove: her session ends at once, her line access goes, she cannot
	// log in, and the People page says so.
	r = admin.postJSON("/api/users/remove", map[string]string{"username": "daughter"})
	if r.status != 200 || !strings.Contains(r.body, "Removed daughter") {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	if carer.loggedIn() {
		t.Error("a removed person's session still works")
	}
	if _, err := f.st.GetUser(context.Background(), "daughter"); !store.IsNotFound(err) {
		t.Errorf("removed user: %v", err)
	}
	c := f.client()
	c.csrf, _ = c.get("/api/login").json["csrf"].(string)
	if r := c.postJSON("/api/login", map[string]string{"username": "daughter", "password": reset}); r.status != http.StatusUnauthorized {
		t.Errorf("removed person logs in: %d", r.status)
	}
	if e := f.lastAudit(); e.Action != "user.remove" || e.Detail != "daughter (carer) lines: mum; their sessions were ended" {
		t.Errorf("audit %+v", e)
	}
	// Re-creating the name starts afresh: no old lines come back.
	if r := admin.postJSON("/api/users", map[string]any{"username": "daughter", "password": daughterPass, "role": "carer", "lines": []string{"dad"}}); r.status != http.StatusCreated {
		t.Fatalf("re-create: %d %s", r.status, r.body)
	}
	if u, _ := f.st.GetUser(context.Background(), "daughter"); !reflect.DeepEqual(u.Lines, []string{"dad"}) {
		t.Errorf("re-created daughter's lines %v", u.Lines)
	}

	// Another administrator can be removed while one remains.
	if r := admin.postJSON("/api/users", map[string]any{"username": "admin2", "password": "second admin password", "role": "admin"}); r.status != http.StatusCreated {
		t.Fatalf("create admin2: %d %s", r.status, r.body)
	}
	admin2 := f.login("admin2", "second admin password")
	if r := admin2.postForm("/users/remove", url.Values{"username": {"admin"}}); r.status != 200 || !strings.Contains(r.body, "Removed admin.") {
		t.Fatalf("admin2 removes admin: %d %s", r.status, r.body)
	}
	if admin.loggedIn() {
		t.Error("the removed administrator is still logged in")
	}
	if r := admin2.postJSON("/api/users/remove", map[string]string{"username": "admin2"}); r.status != 422 {
		t.Errorf("the last administrator removes themselves: %d %s", r.status, r.body)
	}
	f.auditNeverHolds(reset, daughterPass, adminPass, "second admin password")
}
