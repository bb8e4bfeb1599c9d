package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
)

func testAccounts(t *testing.T, s store.Store) {
	if n, err := s.CountUsers(ctx()); err != nil || n != 0 {
		t.Fatalf("empty store CountUsers = %d, %v", n, err)
	}
	wantKind(t, s.CreateFirstAdmin(ctx(), store.User{Username: "son", Role: store.RoleCarer, PasswordHash: "h", CreatedAt: t0}), store.KindInvalid, "first user a carer")
	wantKind(t, s.CreateFirstAdmin(ctx(), store.User{Username: "", Role: store.RoleAdmin, PasswordHash: "h", CreatedAt: t0}), store.KindInvalid, "empty username")
	wantKind(t, s.CreateFirstAdmin(ctx(), store.User{Username: "a", Role: store.RoleAdmin, CreatedAt: t0}), store.KindInvalid, "no hash")
	if n, _ := s.CountUsers(ctx()); n != 0 {
		t.Fatalf("rejected first admin left %d users", n)
	}

	// Two setups racing: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateFirstAdmin(ctx(), store.User{Username: []string{"ann", "bob", "cat", "dan"}[i], Role: store.RoleAdmin, PasswordHash: "h", CreatedAt: t0})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else if store.KindOf(err) != store.KindConflict {
			t.Errorf("losing setup: %v (kind %d), want conflict", err, store.KindOf(err))
		}
	}
	if n, _ := s.CountUsers(ctx()); won != 1 || n != 1 {
		t.Fatalf("racing setups: %d won, %d users", won, n)
	}
	wantKind(t, s.CreateFirstAdmin(ctx(), store.User{Username: "eve", Role: store.RoleAdmin, PasswordHash: "h", CreatedAt: t0}), store.KindConflict, "second setup")

	carer := store.User{Username: "daughter", Role: store.RoleCarer, PasswordHash: "$2a$10$x", Lines: []string{"mum", "dad"}, CreatedAt: t0}
	must(t, s.CreateUser(ctx(), carer))
	wantKind(t, s.CreateUser(ctx(), carer), store.KindConflict, "duplicate username")
	wantKind(t, s.CreateUser(ctx(), store.User{Username: "x", Role: "root", PasswordHash: "h"}), store.KindInvalid, "bad role")
	got, err := s.GetUser(ctx(), "daughter")
	must(t, err)
	carer.Lines = []string{"dad", "mum"}
	if !reflect.DeepEqual(got, carer) {
		t.Fatalf("GetUser = %+v, want %+v", got, carer)
	}
	if _, err := s.GetUser(ctx(), "nobody"); !store.IsNotFound(err) {
		t.Fatalf("missing user: %v", err)
	}
	must(t, s.SetUserLines(ctx(), "daughter", []string{"mum"}))
	wantKind(t, s.SetUserLines(ctx(), "nobody", []string{"mum"}), store.KindNotFound, "lines of a missing user")
	us, err := s.ListUsers(ctx())
	must(t, err)
	if len(us) != 2 || us[1].Username != "daughter" || !reflect.DeepEqual(us[1].Lines, []string{"mum"}) {
		t.Fatalf("ListUsers = %+v", us)
	}
}

func testSessions(t *testing.T, s store.Store) {
	must(t, s.CreateUser(ctx(), store.User{Username: "son", Role: store.RoleCarer, PasswordHash: "h", CreatedAt: t0}))
	se := store.Session{TokenHash: "abc", Username: "son", CSRF: "tok", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	wantKind(t, s.CreateSession(ctx(), store.Session{TokenHash: "x", Username: "nobody", CSRF: "t", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}), store.KindNotFound, "session of a missing user")
	wantKind(t, s.CreateSession(ctx(), store.Session{TokenHash: "x", Username: "son", CSRF: "t", CreatedAt: t0, ExpiresAt: t0}), store.KindInvalid, "expired at birth")
	must(t, s.CreateSession(ctx(), se))
	wantKind(t, s.CreateSession(ctx(), se), store.KindConflict, "same token twice")
	got, err := s.GetSession(ctx(), "abc")
	if err != nil || got != se {
		t.Fatalf("GetSession = %+v, %v; want %+v", got, err, se)
	}
	must(t, s.DeleteSession(ctx(), "abc"))
	must(t, s.DeleteSession(ctx(), "abc"))
	if _, err := s.GetSession(ctx(), "abc"); !store.IsNotFound(err) {
		t.Fatalf("deleted session: %v", err)
	}
}

func testAudit(t *testing.T, s store.Store) {
	wantKind(t, s.RecordAudit(ctx(), store.AuditEntry{At: t0, Action: "x"}), store.KindInvalid, "no actor")
	wantKind(t, s.RecordAudit(ctx(), store.AuditEntry{At: t0, Actor: "son"}), store.KindInvalid, "no action")
	for i, e := range []store.AuditEntry{
		{At: t0, Actor: "son", LineID: "mum", Action: "trusted.add", Detail: "+442071838750 (Dr Patel)"},
		{At: t0.Add(time.Second), Actor: "admin", Action: "user.create", Detail: "son (carer)"},
		{At: t0.Add(2 * time.Second), Actor: "son", LineID: "mum", Action: "blocked.add", Detail: "'; DROP TABLE audit_log; --"},
	} {
		if err := s.RecordAudit(ctx(), e); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	all, err := s.ListAudit(ctx(), store.AuditFilter{})
	must(t, err)
	if len(all) != 3 || all[0].Action != "blocked.add" || all[0].Detail != "'; DROP TABLE audit_log; --" || !all[2].At.Equal(t0) {
		t.Fatalf("ListAudit = %+v", all)
	}
	mum, err := s.ListAudit(ctx(), store.AuditFilter{LineID: "mum", Limit: 1})
	must(t, err)
	if len(mum) != 1 || mum[0].Action != "blocked.add" {
		t.Fatalf("ListAudit mum limit 1 = %+v", mum)
	}
}

func testLineSettings(t *testing.T, s store.Store) {
	if _, err := s.GetLineSettings(ctx(), "mum"); !store.IsNotFound(err) {
		t.Fatalf("settings never set: %v", err)
	}
	good := store.LineSettings{LineID: "mum", UnknownCallers: "block", WithheldCallers: "challenge", QuietHours: "21:00-08:00", OnScam: "warn-and-continue", UpdatedBy: "son", UpdatedAt: t0}
	for _, bad := range []store.LineSettings{
		{UnknownCallers: "block", WithheldCallers: "challenge", OnScam: "warn-and-end"},
		{LineID: "mum", UnknownCallers: "maybe", WithheldCallers: "challenge", OnScam: "warn-and-end"},
		{LineID: "mum", UnknownCallers: "block", WithheldCallers: "allow", OnScam: "warn-and-end"},
		{LineID: "mum", UnknownCallers: "block", WithheldCallers: "block", OnScam: "hang-up"},
	} {
		wantKind(t, s.PutLineSettings(ctx(), bad), store.KindInvalid, "bad settings")
	}
	if _, err := s.GetLineSettings(ctx(), "mum"); !store.IsNotFound(err) {
		t.Fatalf("rejected settings were stored: %v", err)
	}
	must(t, s.PutLineSettings(ctx(), good))
	got, err := s.GetLineSettings(ctx(), "mum")
	if err != nil || got != good {
		t.Fatalf("GetLineSettings = %+v, %v; want %+v", got, err, good)
	}
	good.QuietHours, good.UpdatedAt = "", t0.Add(time.Hour)
	must(t, s.PutLineSettings(ctx(), good))
	if got, _ := s.GetLineSettings(ctx(), "mum"); got != good {
		t.Fatalf("updated settings = %+v, want %+v", got, good)
	}
}

// accountState is what SetPassword and DeleteUser could change: every
// user, and which of the given sessions still exist.
type accountState struct {
	Users    []store.User
	Sessions map[string]bool
}

func accounts(t *testing.T, s store.Store, tokens ...string) accountState {
	t.Helper()
	us, err := s.ListUsers(ctx())
	must(t, err)
	st := accountState{Users: us, Sessions: map[string]bool{}}
	for _, tok := range tokens {
		_, err := s.GetSession(ctx(), tok)
		if err != nil && !store.IsNotFound(err) {
			t.Fatal(err)
		}
		st.Sessions[tok] = err == nil
	}
	return st
}

func testPasswordAndRemoval(t *testing.T, s store.Store) {
	must(t, s.CreateUser(ctx(), store.User{Username: "ann", Role: store.RoleAdmin, PasswordHash: "h-ann", CreatedAt: t0}))
	must(t, s.CreateUser(ctx(), store.User{Username: "daughter", Role: store.RoleCarer, PasswordHash: "h-d", Lines: []string{"mum"}, CreatedAt: t0}))
	tokens := []string{"ann-1", "d-1", "d-2"}
	for _, tok := range tokens {
		user := map[byte]string{'a': "ann", 'd': "daughter"}[tok[0]]
		must(t, s.CreateSession(ctx(), store.Session{TokenHash: tok, Username: user, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	}

	// Rejected requests change nothing.
	before := accounts(t, s, tokens...)
	for _, r := range []struct {
		name string
		err  error
		kind store.Kind
	}{
		{"password of a missing user", s.SetPassword(ctx(), "nobody", "h", ""), store.KindNotFound},
		{"empty password hash", s.SetPassword(ctx(), "daughter", "", ""), store.KindInvalid},
		{"remove a missing user", s.DeleteUser(ctx(), "nobody"), store.KindNotFound},
		{"remove the last administrator", s.DeleteUser(ctx(), "ann"), store.KindConflict},
	} {
		wantKind(t, r.err, r.kind, r.name)
		if after := accounts(t, s, tokens...); !reflect.DeepEqual(after, before) {
			t.Fatalf("%s changed the accounts:\n%+v\nwant\n%+v", r.name, after, before)
		}
	}

	// A new password ends every other session of that user only.
	must(t, s.SetPassword(ctx(), "daughter", "h-d2", "d-1"))
	if u, _ := s.GetUser(ctx(), "daughter"); u.PasswordHash != "h-d2" || !reflect.DeepEqual(u.Lines, []string{"mum"}) {
		t.Fatalf("after SetPassword: %+v", u)
	}
	if got, want := accounts(t, s, tokens...).Sessions, map[string]bool{"ann-1": true, "d-1": true, "d-2": false}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sessions after SetPassword keeping d-1 = %v, want %v", got, want)
	}
	must(t, s.SetPassword(ctx(), "daughter", "h-d3", ""))
	if got := accounts(t, s, tokens...).Sessions; got["d-1"] || !got["ann-1"] {
		t.Fatalf("sessions after SetPassword keeping none = %v", got)
	}

	// A removed user's sessions, lines and account go at once; the name
	// can be reused without inheriting anything.
	must(t, s.CreateSession(ctx(), store.Session{TokenHash: "d-3", Username: "daughter", CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	must(t, s.DeleteUser(ctx(), "daughter"))
	if _, err := s.GetUser(ctx(), "daughter"); !store.IsNotFound(err) {
		t.Fatalf("removed user: %v", err)
	}
	if _, err := s.GetSession(ctx(), "d-3"); !store.IsNotFound(err) {
		t.Fatalf("removed user's session: %v", err)
	}
	wantKind(t, s.CreateSession(ctx(), store.Session{TokenHash: "d-4", Username: "daughter", CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}), store.KindNotFound, "session of a removed user")
	wantKind(t, s.SetPassword(ctx(), "daughter", "h", ""), store.KindNotFound, "password of a removed user")
	must(t, s.CreateUser(ctx(), store.User{Username: "daughter", Role: store.RoleCarer, PasswordHash: "h", CreatedAt: t0}))
	if u, _ := s.GetUser(ctx(), "daughter"); len(u.Lines) != 0 {
		t.Fatalf("a re-created user inherited lines %v", u.Lines)
	}

	// Two administrators removing each other at once: one stays.
	must(t, s.CreateUser(ctx(), store.User{Username: "bob", Role: store.RoleAdmin, PasswordHash: "h", CreatedAt: t0}))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, victim := range []string{"ann", "bob"} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.DeleteUser(ctx(), victim) }()
	}
	wg.Wait()
	admins := 0
	us, err := s.ListUsers(ctx())
	must(t, err)
	for _, u := range us {
		if u.Role == store.RoleAdmin {
			admins++
		}
	}
	if admins != 1 || (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("racing removals: %d admins left, errors %v", admins, errs)
	}
	for _, err := range errs {
		if err != nil && store.KindOf(err) != store.KindConflict {
			t.Errorf("losing removal: %v (kind %d), want conflict", err, store.KindOf(err))
		}
	}
}
