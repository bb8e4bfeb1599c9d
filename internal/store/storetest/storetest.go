// Package storetest is the conformance suite every store.Store
// implementation must pass: the SQLite and PostgreSQL backends run the same
// tests, so the rest of clearline can treat them as one.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// Run runs the suite. open must return a new, empty store each time it is
// called and close it when t ends (t.Cleanup); closing it twice must be
// harmless, since one subtest closes its store early.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s store.Store)
	}{
		{"lines", testLines},
		{"call lifecycle", testCallLifecycle},
		{"times round-trip at millisecond precision in UTC", testTimes},
		{"reasons and tactics round-trip", testLists},
		{"call validation", testCallValidation},
		{"rejected requests change nothing", testRejectedChangeNothing},
		{"list calls filters", testListCalls},
		{"list calls ties are stable", testListCallsTies},
		{"list calls default limit", testListCallsLimit},
		{"recover interrupted calls", testRecover},
		{"list entries", testListEntries},
		{"sql-injection-looking text round-trips", testHostileText},
		{"concurrent calls", testConcurrent},
		{"a bad write among many fails alone", testBadWriteAlone},
		{"closed store errors", testClosed},
		{"a late answer never reopens an ended call", testLateAnswer},
		{"incidents and the alert outbox", testIncidents},
		{"alert recipients", testAlertRecipients},
		{"accounts and first-run setup", testAccounts},
		{"sessions", testSessions},
		{"password changes and account removal", testPasswordAndRemoval},
		{"audit log", testAudit},
		{"line settings", testLineSettings},
		{"alerts queued without an incident", testQueueAlerts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, open(t)) })
	}
}

// RunReopen checks that a database survives closing and reopening: the
// migrations run again harmlessly and every record is still there. open
// must open the SAME database each time it is called within one test.
func RunReopen(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	must(t, s.PutLine(ctx(), store.Line{ID: "mum", Name: "Mum", Postcode: "AL1 3XY", CreatedAt: t0}))
	must(t, s.StartCall(ctx(), call("c1", t0)))
	must(t, s.AnswerCall(ctx(), "c1", t0.Add(time.Second)))
	must(t, s.AddListEntry(ctx(), store.ListEntry{LineID: "mum", Kind: "trusted", Number: "+442071838750", CreatedAt: t0}))
	before := dump(t, s)
	must(t, s.Close())

	for i := 0; i < 2; i++ {
		s = open(t)
		if got := dump(t, s); !reflect.DeepEqual(got, before) {
			t.Fatalf("reopen %d: contents changed:\n%+v\nwant\n%+v", i+1, got, before)
		}
		must(t, s.Close())
	}
	// The reopened store still works.
	s = open(t)
	defer s.Close()
	must(t, s.EndCall(ctx(), "c1", t0.Add(time.Minute), "completed", "caller", ""))
	if c := getCall(t, s, "c1"); c.Outcome != "completed" || c.Duration() != 59*time.Second {
		t.Fatalf("call after reopen = %+v", c)
	}
}

// t0 has whole milliseconds, so it round-trips exactly.
var t0 = time.Date(2026, 11, 25, 9, 30, 15, 123_000_000, time.UTC)

func ctx() context.Context { return context.Background() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, err error, k store.Kind, what string) {
	t.Helper()
	if err == nil || store.KindOf(err) != k {
		t.Errorf("%s: err = %v (kind %d), want kind %d", what, err, store.KindOf(err), k)
	}
}

func call(id string, at time.Time) store.Call {
	return store.Call{ID: id, LineID: "mum", Direction: "inbound", From: "+442071838750", To: "+441632960001",
		CallerName: "Dr Patel", StartedAt: at}
}

func getCall(t *testing.T, s store.Store, id string) store.Call {
	t.Helper()
	c, err := s.GetCall(ctx(), id)
	if err != nil {
		t.Fatalf("get call %q: %v", id, err)
	}
	return c
}

// contents is everything a store holds that the tests write.
type contents struct {
	Lines   []store.Line
	Calls   []store.Call
	Entries map[string][]store.ListEntry
}

func dump(t *testing.T, s store.Store) contents {
	t.Helper()
	var c contents
	var err error
	if c.Lines, err = s.ListLines(ctx()); err != nil {
		t.Fatal(err)
	}
	if c.Calls, err = s.ListCalls(ctx(), store.CallFilter{Limit: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	c.Entries = map[string][]store.ListEntry{}
	for _, line := range []string{"mum", "dad"} {
		for _, kind := range []string{"trusted", "blocked"} {
			l, err := s.ListEntries(ctx(), line, kind)
			if err != nil {
				t.Fatal(err)
			}
			c.Entries[line+"/"+kind] = l
		}
	}
	return c
}

func testLines(t *testing.T, s store.Store) {
	if ls, err := s.ListLines(ctx()); err != nil || len(ls) != 0 {
		t.Fatalf("empty store ListLines = %+v, %v", ls, err)
	}
	if _, err := s.GetLine(ctx(), "mum"); !store.IsNotFound(err) {
		t.Fatalf("missing line: %v (kind %d), want not found", err, store.KindOf(err))
	}
	wantKind(t, s.PutLine(ctx(), store.Line{ID: "", Name: "x", CreatedAt: t0}), store.KindInvalid, "empty id")
	wantKind(t, s.PutLine(ctx(), store.Line{ID: " \t", Name: "x", CreatedAt: t0}), store.KindInvalid, "blank id")

	must(t, s.PutLine(ctx(), store.Line{ID: "mum", Name: "Mum", Postcode: "AL1 3XY", CreatedAt: t0}))
	must(t, s.PutLine(ctx(), store.Line{ID: "dad", Name: "Dad", CreatedAt: t0.Add(time.Minute)}))
	must(t, s.PutLine(ctx(), store.Line{ID: "gran", Name: "Gran", CreatedAt: t0.Add(-time.Minute)}))
	l, err := s.GetLine(ctx(), "mum")
	if want := (store.Line{ID: "mum", Name: "Mum", Postcode: "AL1 3XY", CreatedAt: t0}); err != nil || l != want {
		t.Fatalf("GetLine = %+v, %v; want %+v", l, err, want)
	}
	// Updating changes name and postcode but keeps the creation time.
	must(t, s.PutLine(ctx(), store.Line{ID: "mum", Name: "Mother", Postcode: "AL1 4AA", CreatedAt: t0.Add(time.Hour)}))
	l, err = s.GetLine(ctx(), "mum")
	if want := (store.Line{ID: "mum", Name: "Mother", Postcode: "AL1 4AA", CreatedAt: t0}); err != nil || l != want {
		t.Fatalf("updated line = %+v, %v; want %+v", l, err, want)
	}
	if l.CreatedAt.Location() != time.UTC {
		t.Errorf("created_at location %v, want UTC", l.CreatedAt.Location())
	}
	ls, err := s.ListLines(ctx())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range ls {
		ids = append(ids, l.ID)
	}
	if got := strings.Join(ids, " "); got != "dad gran mum" {
		t.Fatalf("ListLines ids = %q, want by id %q", got, "dad gran mum")
	}
	if ls[2].Name != "Mother" {
		t.Fatalf("ListLines mum = %+v", ls[2])
	}
}

func testCallLifecycle(t *testing.T, s store.Store) {
	c := call("c1", t0)
	c.Decision, c.Reasons = "allow", []string{"a trusted contact"}
	must(t, s.StartCall(ctx(), c))
	got := getCall(t, s, "c1")
	want := c
	want.Outcome = "in-progress"
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("started call =\n%+v\nwant\n%+v", got, want)
	}
	if got.Duration() != 0 {
		t.Fatalf("duration before answer %v", got.Duration())
	}

	must(t, s.SetCallDecision(ctx(), "c1", "challenge", []string{"unknown number", "passed: «Margaret»"}))
	must(t, s.AnswerCall(ctx(), "c1", t0.Add(3*time.Second)))
	got = getCall(t, s, "c1")
	if got.Outcome != "answered" || got.AnsweredAt == nil || !got.AnsweredAt.Equal(t0.Add(3*time.Second)) ||
		got.EndedAt != nil || got.Duration() != 0 {
		t.Fatalf("answered call = %+v", got)
	}

	must(t, s.SetCallVerdict(ctx(), "c1", "scam", []string{"authority:police", "request:withdraw-cash"}))
	must(t, s.EndCall(ctx(), "c1", t0.Add(63*time.Second), "completed", "clearline", "scam warning given"))
	got = getCall(t, s, "c1")
	want = store.Call{ID: "c1", LineID: "mum", Direction: "inbound", From: "+442071838750", To: "+441632960001",
		CallerName: "Dr Patel", StartedAt: t0, Outcome: "completed", HangupBy: "clearline", EndReason: "scam warning given", Decision: "challenge",
		Reasons: []string{"unknown number", "passed: «Margaret»"}, Verdict: "scam",
		Tactics: []string{"authority:police", "request:withdraw-cash"}}
	a, e := t0.Add(3*time.Second), t0.Add(63*time.Second)
	want.AnsweredAt, want.EndedAt = &a, &e
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ended call =\n%+v\nwant\n%+v", got, want)
	}
	if got.Duration() != time.Minute {
		t.Fatalf("duration %v, want 1m", got.Duration())
	}

	// A call ended without an answer: no answer time, no talk time.
	must(t, s.StartCall(ctx(), call("c2", t0)))
	must(t, s.EndCall(ctx(), "c2", t0.Add(20*time.Second), "no-answer", "clearline", ""))
	if g := getCall(t, s, "c2"); g.AnsweredAt != nil || g.EndedAt == nil || g.Duration() != 0 ||
		g.Outcome != "no-answer" || g.HangupBy != "clearline" {
		t.Fatalf("unanswered call = %+v", g)
	}

	// An outbound emergency call with no screening.
	em := call("c3", t0)
	em.Direction, em.To, em.Emergency, em.CallerName = "outbound", "999", true, ""
	must(t, s.StartCall(ctx(), em))
	if g := getCall(t, s, "c3"); !g.Emergency || g.Direction != "outbound" || g.Decision != "" || g.Verdict != "" {
		t.Fatalf("emergency call = %+v", g)
	}
	if g := getCall(t, s, "c1"); g.Emergency {
		t.Fatalf("c1 became an emergency call")
	}
}

func testTimes(t *testing.T, s store.Store) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("UTC+1", 3600)
	}
	ny := time.FixedZone("UTC-5", -5*3600)
	start := time.Date(2026, 3, 29, 2, 59, 59, 999_999_999, paris) // sub-millisecond, not UTC
	answer := time.Date(2026, 3, 28, 20, 0, 1, 500_400_300, ny)
	end := answer.Add(90*time.Second + 123_456_789)

	c := call("t1", start)
	must(t, s.StartCall(ctx(), c))
	must(t, s.AnswerCall(ctx(), "t1", answer))
	must(t, s.EndCall(ctx(), "t1", end, "completed", "caller", ""))
	got := getCall(t, s, "t1")
	check := func(what string, got *time.Time, want time.Time) {
		t.Helper()
		if got == nil {
			t.Fatalf("%s is nil", what)
		}
		w := want.UTC().Truncate(time.Millisecond)
		if !got.Equal(w) || got.Location() != time.UTC || *got != w {
			t.Errorf("%s = %v (%v), want %v in UTC", what, *got, got.Location(), w)
		}
	}
	check("started_at", &got.StartedAt, start)
	check("answered_at", got.AnsweredAt, answer)
	check("ended_at", got.EndedAt, end)
	if want := end.Truncate(time.Millisecond).Sub(answer.Truncate(time.Millisecond)); got.Duration() != want {
		t.Errorf("duration %v, want %v", got.Duration(), want)
	}

	l := store.Line{ID: "mum", CreatedAt: start}
	must(t, s.PutLine(ctx(), l))
	gl, err := s.GetLine(ctx(), "mum")
	must(t, err)
	check("line created_at", &gl.CreatedAt, start)

	must(t, s.AddListEntry(ctx(), store.ListEntry{LineID: "mum", Kind: "trusted", Number: "+1", CreatedAt: start}))
	es, err := s.ListEntries(ctx(), "mum", "trusted")
	must(t, err)
	if len(es) != 1 {
		t.Fatalf("entries = %+v", es)
	}
	check("entry created_at", &es[0].CreatedAt, start)

	// Recovery times too.
	must(t, s.StartCall(ctx(), call("t2", start)))
	_, err = s.RecoverInterruptedCalls(ctx(), end)
	must(t, err)
	check("recovered ended_at", getCall(t, s, "t2").EndedAt, end)
}

func testLists(t *testing.T, s store.Store) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"nil", nil, nil},
		{"empty reads back as nil", []string{}, nil},
		{"one empty string", []string{""}, []string{""}},
		{"order and duplicates kept", []string{"b", "a", "b"}, []string{"b", "a", "b"}},
		{"unicode", []string{"Zoë", "☎️ 电话诈骗", "مرحبا", "🧓🏻", "ß≠ss"}, []string{"Zoë", "☎️ 电话诈骗", "مرحبا", "🧓🏻", "ß≠ss"}},
		{"json-looking", []string{`["x"]`, `"`, `\`, `\u0041`, `null`, "a,b"}, []string{`["x"]`, `"`, `\`, `\u0041`, `null`, "a,b"}},
		{"whitespace", []string{" padded ", "tab\there", "new\nline"}, []string{" padded ", "tab\there", "new\nline"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("l%d", i)
			c := call(id, t0)
			c.Decision, c.Reasons = "challenge", tt.in
			must(t, s.StartCall(ctx(), c))
			if got := getCall(t, s, id); !reflect.DeepEqual(got.Reasons, tt.want) || got.Tactics != nil {
				t.Fatalf("StartCall reasons %#v came back %#v (tactics %#v)", tt.in, got.Reasons, got.Tactics)
			}
			must(t, s.SetCallDecision(ctx(), id, "block", []string{"replaced"}))
			must(t, s.SetCallDecision(ctx(), id, "allow", tt.in))
			must(t, s.SetCallVerdict(ctx(), id, "scam", []string{"replaced"}))
			must(t, s.SetCallVerdict(ctx(), id, "benign", tt.in))
			got := getCall(t, s, id)
			if !reflect.DeepEqual(got.Reasons, tt.want) || !reflect.DeepEqual(got.Tactics, tt.want) ||
				got.Decision != "allow" || got.Verdict != "benign" {
				t.Fatalf("set %#v: reasons %#v tactics %#v (decision %q verdict %q), want %#v",
					tt.in, got.Reasons, got.Tactics, got.Decision, got.Verdict, tt.want)
			}
		})
	}
}

func testCallValidation(t *testing.T, s store.Store) {
	must(t, s.StartCall(ctx(), call("c1", t0)))
	with := func(f func(*store.Call)) store.Call {
		c := call("x", t0)
		f(&c)
		return c
	}
	tests := []struct {
		name string
		op   func() error
		want store.Kind
	}{
		{"start: empty id", func() error { return s.StartCall(ctx(), with(func(c *store.Call) { c.ID = "" })) }, store.KindInvalid},
		{"start: bad direction", func() error { return s.StartCall(ctx(), with(func(c *store.Call) { c.Direction = "sideways" })) }, store.KindInvalid},
		{"start: empty direction", func() error { return s.StartCall(ctx(), with(func(c *store.Call) { c.Direction = "" })) }, store.KindInvalid},
		{"start: direction case", func() error { return s.StartCall(ctx(), with(func(c *store.Call) { c.Direction = "Inbound" })) }, store.KindInvalid},
		{"start: zero time", func() error { return s.StartCall(ctx(), with(func(c *store.Call) { c.StartedAt = time.Time{} })) }, store.KindInvalid},
		{"start: duplicate id", func() error {
			return s.StartCall(ctx(), with(func(c *store.Call) { c.ID, c.From, c.StartedAt = "c1", "+440000000000", t0.Add(time.Hour) }))
		}, store.KindConflict},
		{"answer: missing", func() error { return s.AnswerCall(ctx(), "nope", t0) }, store.KindNotFound},
		{"end: missing", func() error { return s.EndCall(ctx(), "nope", t0, "completed", "caller", "") }, store.KindNotFound},
		{"decision: missing", func() error { return s.SetCallDecision(ctx(), "nope", "allow", []string{"r"}) }, store.KindNotFound},
		{"verdict: missing", func() error { return s.SetCallVerdict(ctx(), "nope", "scam", []string{"t"}) }, store.KindNotFound},
		{"get: missing", func() error { _, err := s.GetCall(ctx(), "nope"); return err }, store.KindNotFound},
		{"get: empty id", func() error { _, err := s.GetCall(ctx(), ""); return err }, store.KindNotFound},
		{"end: empty outcome", func() error { return s.EndCall(ctx(), "c1", t0, "", "", "") }, store.KindInvalid},
		{"end: blank outcome", func() error { return s.EndCall(ctx(), "c1", t0, "  ", "", "") }, store.KindInvalid},
		{"end: in-progress outcome", func() error { return s.EndCall(ctx(), "c1", t0, "in-progress", "", "") }, store.KindInvalid},
		{"end: missing and empty outcome", func() error { return s.EndCall(ctx(), "nope", t0, "", "", "") }, store.KindInvalid},
	}
	for _, tt := range tests {
		wantKind(t, tt.op(), tt.want, tt.name)
	}
	if _, err := s.GetCall(ctx(), "x"); !store.IsNotFound(err) {
		t.Errorf("a rejected StartCall stored call x: %v", err)
	}
}

func testRejectedChangeNothing(t *testing.T, s store.Store) {
	must(t, s.PutLine(ctx(), store.Line{ID: "mum", Name: "Mum", CreatedAt: t0}))
	c := call("c1", t0)
	c.Decision, c.Reasons = "allow", []string{"trusted"}
	must(t, s.StartCall(ctx(), c))
	must(t, s.AnswerCall(ctx(), "c1", t0.Add(time.Second)))
	must(t, s.SetCallVerdict(ctx(), "c1", "benign", []string{"none"}))
	must(t, s.StartCall(ctx(), call("c2", t0.Add(time.Minute))))
	must(t, s.EndCall(ctx(), "c2", t0.Add(2*time.Minute), "completed", "caller", ""))
	must(t, s.AddListEntry(ctx(), store.ListEntry{LineID: "mum", Kind: "blocked", Number: "+441142345678", Name: "Scam Co", AddedBy: "key 9", CreatedAt: t0}))
	before := dump(t, s)

	cancelled, cancel := context.WithCancel(ctx())
	cancel()
	dup := call("c1", t0.Add(time.Hour))
	dup.LineID, dup.From, dup.Direction, dup.Emergency = "dad", "+440000000000", "outbound", true
	rejected := []struct {
		name string
		op   func() error
	}{
		{"duplicate call id", func() error { return s.StartCall(ctx(), dup) }},
		{"duplicate finished call id", func() error { d := dup; d.ID = "c2"; return s.StartCall(ctx(), d) }},
		{"invalid start", func() error { d := dup; d.ID, d.Direction = "c3", "up"; return s.StartCall(ctx(), d) }},
		{"invalid end of live call", func() error { return s.EndCall(ctx(), "c1", t0.Add(time.Hour), "in-progress", "caller", "") }},
		{"invalid end of finished call", func() error { return s.EndCall(ctx(), "c2", t0.Add(time.Hour), "", "callee", "") }},
		{"answer missing call", func() error { return s.AnswerCall(ctx(), "c3", t0) }},
		{"empty line id", func() error { return s.PutLine(ctx(), store.Line{Name: "Nobody", CreatedAt: t0}) }},
		{"bad list kind", func() error {
			return s.AddListEntry(ctx(), store.ListEntry{LineID: "mum", Kind: "friends", Number: "+1", CreatedAt: t0})
		}},
		{"remove missing entry", func() error { return s.RemoveListEntry(ctx(), "mum", "trusted", "+441142345678") }},
		{"cancelled start", func() error { return s.StartCall(cancelled, call("c3", t0)) }},
		{"cancelled end", func() error { return s.EndCall(cancelled, "c1", t0.Add(time.Hour), "completed", "caller", "") }},
		{"cancelled put line", func() error { return s.PutLine(cancelled, store.Line{ID: "mum", Name: "Changed", CreatedAt: t0}) }},
		{"cancelled recover", func() error { _, err := s.RecoverInterruptedCalls(cancelled, t0.Add(time.Hour)); return err }},
	}
	for _, r := range rejected {
		if err := r.op(); err == nil {
			t.Errorf("%s: accepted", r.name)
		}
		if got := dump(t, s); !reflect.DeepEqual(got, before) {
			t.Fatalf("%s changed the store:\n%+v\nwant\n%+v", r.name, got, before)
		}
	}
}

func callIDs(t *testing.T, s store.Store, f store.CallFilter) string {
	t.Helper()
	cs, err := s.ListCalls(ctx(), f)
	if err != nil {
		t.Fatalf("ListCalls(%+v): %v", f, err)
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return strings.Join(ids, " ")
}

func testListCalls(t *testing.T, s store.Store) {
	if got := callIDs(t, s, store.CallFilter{}); got != "" {
		t.Fatalf("empty store lists %q", got)
	}
	// c0..c5 a minute apart, inserted out of order; odd ones on dad's line.
	outcomes := []string{"completed", "completed", "blocked", "", "answered", ""}
	for _, i := range []int{3, 0, 5, 1, 4, 2} {
		c := call(fmt.Sprintf("c%d", i), t0.Add(time.Duration(i)*time.Minute))
		if i%2 == 1 {
			c.LineID = "dad"
		}
		must(t, s.StartCall(ctx(), c))
		switch outcomes[i] {
		case "answered":
			must(t, s.AnswerCall(ctx(), c.ID, c.StartedAt.Add(time.Second)))
		case "":
		default:
			must(t, s.EndCall(ctx(), c.ID, c.StartedAt.Add(time.Second), outcomes[i], "caller", ""))
		}
	}
	tests := []struct {
		name string
		f    store.CallFilter
		want string
	}{
		{"all newest first", store.CallFilter{}, "c5 c4 c3 c2 c1 c0"},
		{"line", store.CallFilter{LineID: "dad"}, "c5 c3 c1"},
		{"other line", store.CallFilter{LineID: "mum"}, "c4 c2 c0"},
		{"unknown line", store.CallFilter{LineID: "gran"}, ""},
		{"since is inclusive", store.CallFilter{Since: t0.Add(4 * time.Minute)}, "c5 c4"},
		{"until is exclusive", store.CallFilter{Until: t0.Add(2 * time.Minute)}, "c1 c0"},
		{"since and until", store.CallFilter{Since: t0.Add(time.Minute), Until: t0.Add(4 * time.Minute)}, "c3 c2 c1"},
		{"since in another zone", store.CallFilter{Since: t0.Add(4 * time.Minute).In(time.FixedZone("X", 7*3600))}, "c5 c4"},
		{"empty window", store.CallFilter{Since: t0.Add(time.Hour)}, ""},
		{"outcome", store.CallFilter{Outcome: "completed"}, "c1 c0"},
		{"outcome in-progress", store.CallFilter{Outcome: "in-progress"}, "c5 c3"},
		{"outcome answered", store.CallFilter{Outcome: "answered"}, "c4"},
		{"unknown outcome", store.CallFilter{Outcome: "busy"}, ""},
		{"line and outcome", store.CallFilter{LineID: "mum", Outcome: "completed"}, "c0"},
		{"line, window and outcome", store.CallFilter{LineID: "dad", Since: t0.Add(time.Minute), Until: t0.Add(5 * time.Minute), Outcome: "in-progress"}, "c3"},
		{"limit", store.CallFilter{Limit: 2}, "c5 c4"},
		{"limit offset", store.CallFilter{Limit: 2, Offset: 1}, "c4 c3"},
		{"offset only", store.CallFilter{Offset: 4}, "c1 c0"},
		{"offset past the end", store.CallFilter{Offset: 6}, ""},
		{"negative offset is zero", store.CallFilter{Limit: 1, Offset: -3}, "c5"},
		{"filtered page", store.CallFilter{LineID: "dad", Limit: 1, Offset: 1}, "c3"},
	}
	for _, tt := range tests {
		if got := callIDs(t, s, tt.f); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// Listed calls are complete rows, not just ids.
	cs, err := s.ListCalls(ctx(), store.CallFilter{Outcome: "answered"})
	must(t, err)
	if len(cs) != 1 || !reflect.DeepEqual(cs[0], getCall(t, s, "c4")) {
		t.Errorf("listed c4 = %+v, want %+v", cs, getCall(t, s, "c4"))
	}
}

func testListCallsTies(t *testing.T, s store.Store) {
	// Calls starting in the same millisecond, inserted in no order, come
	// back in one order every time, so pages neither repeat nor skip.
	at := t0.Add(time.Hour)
	for _, id := range []string{"t3", "t1", "t5", "t2", "t4"} {
		must(t, s.StartCall(ctx(), call(id, at)))
	}
	must(t, s.StartCall(ctx(), call("later", at.Add(time.Millisecond))))
	must(t, s.StartCall(ctx(), call("earlier", at.Add(-time.Millisecond))))
	all := callIDs(t, s, store.CallFilter{})
	if want := "later t5 t4 t3 t2 t1 earlier"; all != want {
		t.Fatalf("order %q, want %q (newest first, then id descending)", all, want)
	}
	var pages []string
	for off := 0; off < 7; off++ {
		pages = append(pages, callIDs(t, s, store.CallFilter{Limit: 1, Offset: off}))
	}
	if got := strings.Join(pages, " "); got != all {
		t.Fatalf("pages of one %q, want %q", got, all)
	}
	if got := callIDs(t, s, store.CallFilter{Limit: 3, Offset: 2}); got != "t4 t3 t2" {
		t.Fatalf("page %q", got)
	}
}

func testListCallsLimit(t *testing.T, s store.Store) {
	const n = 105
	for i := 0; i < n; i++ {
		must(t, s.StartCall(ctx(), call(fmt.Sprintf("c%03d", i), t0.Add(time.Duration(i)*time.Second))))
	}
	count := func(f store.CallFilter) (int, string) {
		cs, err := s.ListCalls(ctx(), f)
		must(t, err)
		if len(cs) == 0 {
			return 0, ""
		}
		return len(cs), cs[0].ID
	}
	tests := []struct {
		name  string
		f     store.CallFilter
		n     int
		first string
	}{
		{"default limit is 100", store.CallFilter{}, 100, "c104"},
		{"negative limit is the default", store.CallFilter{Limit: -1}, 100, "c104"},
		{"larger limit", store.CallFilter{Limit: 1000}, n, "c104"},
		{"rest after the default page", store.CallFilter{Offset: 100}, 5, "c004"},
	}
	for _, tt := range tests {
		if got, first := count(tt.f); got != tt.n || first != tt.first {
			t.Errorf("%s: %d calls starting %s, want %d starting %s", tt.name, got, first, tt.n, tt.first)
		}
	}
}

func testRecover(t *testing.T, s store.Store) {
	if n, err := s.RecoverInterruptedCalls(ctx(), t0); n != 0 || err != nil {
		t.Fatalf("recovery of an empty store: %d, %v", n, err)
	}
	for _, id := range []string{"ringing", "talking", "done", "refused"} {
		c := call(id, t0)
		c.Decision, c.Reasons = "allow", []string{"trusted"}
		must(t, s.StartCall(ctx(), c))
	}
	must(t, s.AnswerCall(ctx(), "talking", t0.Add(time.Second)))
	must(t, s.SetCallVerdict(ctx(), "talking", "scam", []string{"urgency"}))
	must(t, s.AnswerCall(ctx(), "done", t0.Add(time.Second)))
	must(t, s.EndCall(ctx(), "done", t0.Add(time.Minute), "completed", "caller", ""))
	must(t, s.EndCall(ctx(), "refused", t0.Add(2*time.Second), "refused", "clearline", "refused after announcement"))
	done, refused := getCall(t, s, "done"), getCall(t, s, "refused")

	at := t0.Add(time.Hour)
	n, err := s.RecoverInterruptedCalls(ctx(), at)
	if err != nil || n != 2 {
		t.Fatalf("recovered %d, %v; want 2", n, err)
	}
	ringing := getCall(t, s, "ringing")
	if ringing.Outcome != "interrupted" || ringing.EndedAt == nil || !ringing.EndedAt.Equal(at) ||
		ringing.HangupBy != "clearline" || ringing.EndReason != "clearline stopped during the call" || ringing.AnsweredAt != nil || ringing.Duration() != 0 {
		t.Errorf("ringing = %+v", ringing)
	}
	talking := getCall(t, s, "talking")
	if talking.Outcome != "interrupted" || talking.EndedAt == nil || !talking.EndedAt.Equal(at) ||
		talking.HangupBy != "clearline" || talking.AnsweredAt == nil || !talking.AnsweredAt.Equal(t0.Add(time.Second)) ||
		talking.Duration() != time.Hour-time.Second || talking.Verdict != "scam" ||
		!reflect.DeepEqual(talking.Reasons, []string{"trusted"}) || !reflect.DeepEqual(talking.Tactics, []string{"urgency"}) {
		t.Errorf("talking = %+v", talking)
	}
	if got := getCall(t, s, "done"); !reflect.DeepEqual(got, done) {
		t.Errorf("finished call touched: %+v, was %+v", got, done)
	}
	if got := getCall(t, s, "refused"); !reflect.DeepEqual(got, refused) {
		t.Errorf("refused call touched: %+v, was %+v", got, refused)
	}
	if got := callIDs(t, s, store.CallFilter{Outcome: "interrupted"}); got != "talking ringing" {
		t.Errorf("interrupted calls %q", got)
	}
	if n, err := s.RecoverInterruptedCalls(ctx(), at.Add(time.Hour)); n != 0 || err != nil {
		t.Errorf("second recovery: %d, %v", n, err)
	}
	if got := getCall(t, s, "ringing"); !got.EndedAt.Equal(at) {
		t.Errorf("second recovery moved ended_at to %v", got.EndedAt)
	}
}

func testListEntries(t *testing.T, s store.Store) {
	if es, err := s.ListEntries(ctx(), "mum", "blocked"); err != nil || len(es) != 0 {
		t.Fatalf("empty list = %+v, %v", es, err)
	}
	blocked := store.ListEntry{LineID: "mum", Kind: "blocked", Number: "+441142345678", Name: "Scam Co", AddedBy: "key 9 after a challenge", CreatedAt: t0}
	for i := 0; i < 2; i++ { // adding twice is one entry, and keeps the first
		e := blocked
		if i == 1 {
			e.Name, e.CreatedAt = "changed", t0.Add(time.Hour)
		}
		must(t, s.AddListEntry(ctx(), e))
	}
	ann := store.ListEntry{LineID: "mum", Kind: "trusted", Number: "+442071838750", Name: "Ann", AddedBy: "Sarah (carer)", CreatedAt: t0.Add(time.Minute)}
	bob := store.ListEntry{LineID: "mum", Kind: "trusted", Number: "+441632960002", Name: "Bob", CreatedAt: t0}
	dads := store.ListEntry{LineID: "dad", Kind: "trusted", Number: "+442071838750", Name: "Ann", CreatedAt: t0}
	sameNumberBlocked := store.ListEntry{LineID: "mum", Kind: "blocked", Number: "+442071838750", CreatedAt: t0.Add(time.Second)}
	for _, e := range []store.ListEntry{ann, bob, dads, sameNumberBlocked} {
		must(t, s.AddListEntry(ctx(), e))
	}

	invalid := []struct {
		name string
		e    store.ListEntry
	}{
		{"bad kind", store.ListEntry{LineID: "mum", Kind: "friends", Number: "+1"}},
		{"empty kind", store.ListEntry{LineID: "mum", Number: "+1"}},
		{"empty number", store.ListEntry{LineID: "mum", Kind: "blocked"}},
		{"empty line", store.ListEntry{Kind: "blocked", Number: "+1"}},
	}
	for _, tt := range invalid {
		wantKind(t, s.AddListEntry(ctx(), tt.e), store.KindInvalid, "add: "+tt.name)
		wantKind(t, s.RemoveListEntry(ctx(), tt.e.LineID, tt.e.Kind, tt.e.Number), store.KindInvalid, "remove: "+tt.name)
	}

	lists := []struct {
		line, kind string
		want       []store.ListEntry
	}{
		{"mum", "blocked", []store.ListEntry{blocked, sameNumberBlocked}},
		{"mum", "trusted", []store.ListEntry{bob, ann}}, // oldest first
		{"dad", "trusted", []store.ListEntry{dads}},
		{"dad", "blocked", nil},
		{"gran", "trusted", nil},
	}
	checkLists := func(when string) {
		t.Helper()
		for _, l := range lists {
			got, err := s.ListEntries(ctx(), l.line, l.kind)
			if err != nil || len(got) != len(l.want) || (len(got) > 0 && !reflect.DeepEqual(got, l.want)) {
				t.Errorf("%s: %s/%s = %+v, %v; want %+v", when, l.line, l.kind, got, err, l.want)
			}
		}
	}
	checkLists("after adding")

	must(t, s.RemoveListEntry(ctx(), "mum", "blocked", blocked.Number))
	wantKind(t, s.RemoveListEntry(ctx(), "mum", "blocked", blocked.Number), store.KindNotFound, "remove twice")
	wantKind(t, s.RemoveListEntry(ctx(), "mum", "trusted", blocked.Number), store.KindNotFound, "remove from the wrong list")
	wantKind(t, s.RemoveListEntry(ctx(), "gran", "blocked", sameNumberBlocked.Number), store.KindNotFound, "remove from the wrong line")
	lists[0].want = []store.ListEntry{sameNumberBlocked}
	checkLists("after removing")
}

// hostile strings that would break a query built by pasting text into SQL,
// or a placeholder rewriter that looked inside values.
var hostile = []string{
	`'; DROP TABLE calls; --`,
	`Robert'); DROP TABLE lines;--`,
	`' OR '1'='1`,
	`" OR ""="`,
	`'' ''' \' \\'`,
	`\`,
	`?`,
	`?, ?); DELETE FROM calls; --`,
	`$1`,
	`$2::text`,
	`%_%`,
	`/* comment */ --`,
	`E'\x00'`,
	`;`,
	`"quoted" \ back\slash`,
	"line\nbreak\r\n\ttab",
	"  padded  ",
	"émoji ☎️ ünïcode 电话 مرحبا",
	`["json", "list"]`,
	`{"a": 1}`,
	strings.Repeat("x'", 2000),
}

func testHostileText(t *testing.T, s store.Store) {
	for i, v := range hostile {
		id := fmt.Sprintf("%d %.100s", i, v) // ids hold the text too (keys kept short)
		line := store.Line{ID: id, Name: v, Postcode: v, CreatedAt: t0}
		must(t, s.PutLine(ctx(), line))
		if got, err := s.GetLine(ctx(), id); err != nil || got != line {
			t.Errorf("line %q came back %+v, %v", v, got, err)
		}

		c := store.Call{ID: id, LineID: id, Direction: "inbound", From: v, To: v, CallerName: v,
			StartedAt: t0.Add(time.Duration(i) * time.Second), Decision: v, Reasons: []string{v, v}}
		must(t, s.StartCall(ctx(), c))
		must(t, s.SetCallDecision(ctx(), id, v, []string{v}))
		must(t, s.SetCallVerdict(ctx(), id, v, []string{v, "x"}))
		must(t, s.AnswerCall(ctx(), id, c.StartedAt))
		outcome := "x" + v // never empty nor "in-progress"
		must(t, s.EndCall(ctx(), id, c.StartedAt.Add(time.Second), outcome, v, ""))
		got := getCall(t, s, id)
		want := c
		want.Decision, want.Reasons, want.Verdict, want.Tactics = v, []string{v}, v, []string{v, "x"}
		want.Outcome, want.HangupBy = outcome, v
		a, e := c.StartedAt, c.StartedAt.Add(time.Second)
		want.AnsweredAt, want.EndedAt = &a, &e
		if !reflect.DeepEqual(got, want) {
			t.Errorf("call with %q came back\n%+v\nwant\n%+v", v, got, want)
		}
		if ids := callIDs(t, s, store.CallFilter{LineID: id, Outcome: outcome}); ids != id {
			t.Errorf("ListCalls by line and outcome %q = %q", v, ids)
		}

		entry := store.ListEntry{LineID: id, Kind: "trusted", Number: v, Name: v, AddedBy: v, CreatedAt: t0}
		must(t, s.AddListEntry(ctx(), entry))
		if es, err := s.ListEntries(ctx(), id, "trusted"); err != nil || len(es) != 1 || es[0] != entry {
			t.Errorf("entry %q came back %+v, %v", v, es, err)
		}
	}
	// Lookups with hostile keys find nothing rather than everything.
	for _, v := range []string{`' OR '1'='1`, `x' OR 1=1 --`, `%`, `?`} {
		if _, err := s.GetCall(ctx(), v); !store.IsNotFound(err) {
			t.Errorf("GetCall(%q) = %v, want not found", v, err)
		}
		if _, err := s.GetLine(ctx(), v); !store.IsNotFound(err) {
			t.Errorf("GetLine(%q) = %v, want not found", v, err)
		}
		if ids := callIDs(t, s, store.CallFilter{LineID: v}); ids != "" {
			t.Errorf("ListCalls(line %q) = %q", v, ids)
		}
		if ids := callIDs(t, s, store.CallFilter{Outcome: v}); ids != "" {
			t.Errorf("ListCalls(outcome %q) = %q", v, ids)
		}
		if es, err := s.ListEntries(ctx(), v, "trusted"); err != nil || len(es) != 0 {
			t.Errorf("ListEntries(%q) = %+v, %v", v, es, err)
		}
	}
	// Every table is intact.
	if ls, err := s.ListLines(ctx()); err != nil || len(ls) != len(hostile) {
		t.Errorf("lines table damaged: %d rows, %v", len(ls), err)
	}
	if cs, err := s.ListCalls(ctx(), store.CallFilter{Limit: 1000}); err != nil || len(cs) != len(hostile) {
		t.Errorf("calls table damaged: %d rows, %v", len(cs), err)
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	// Several calls progressing at once, as on a busy gateway: no write is
	// lost and none fails with "database is locked" or similar.
	const workers, each = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				at := t0.Add(time.Duration(w*each+i) * time.Millisecond)
				for _, step := range []func() error{
					func() error { return s.StartCall(ctx(), call(id, at)) },
					func() error { return s.SetCallDecision(ctx(), id, "allow", []string{id}) },
					func() error { return s.AnswerCall(ctx(), id, at.Add(time.Second)) },
					func() error { _, err := s.ListCalls(ctx(), store.CallFilter{Limit: 5}); return err },
					func() error { return s.EndCall(ctx(), id, at.Add(2*time.Second), "completed", "caller", "") },
				} {
					if err := step(); err != nil {
						errs <- fmt.Errorf("%s: %w", id, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	cs, err := s.ListCalls(ctx(), store.CallFilter{Outcome: "completed", Limit: 1000})
	if err != nil || len(cs) != workers*each {
		t.Fatalf("%d completed calls, %v; want %d", len(cs), err, workers*each)
	}
	for _, c := range cs {
		if c.Duration() != time.Second || !reflect.DeepEqual(c.Reasons, []string{c.ID}) {
			t.Errorf("call %+v", c)
		}
	}
}

func testBadWriteAlone(t *testing.T, s store.Store) {
	// Writes arriving together may share a transaction. A duplicate call
	// id and an answer for a call that does not exist, among many good
	// writes released at the same moment, fail on their own; every good
	// write is made.
	must(t, s.StartCall(ctx(), call("taken", t0)))
	const good = 40
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, good+2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			switch i {
			case good:
				errs[i] = s.StartCall(ctx(), call("taken", t0.Add(time.Hour)))
			case good + 1:
				errs[i] = s.AnswerCall(ctx(), "missing", t0)
			default:
				errs[i] = s.StartCall(ctx(), call(fmt.Sprintf("g%d", i), t0.Add(time.Duration(i)*time.Millisecond)))
			}
		}()
	}
	close(release)
	wg.Wait()
	for i, err := range errs[:good] {
		if err != nil {
			t.Errorf("good write %d: %v", i, err)
		}
	}
	if k := store.KindOf(errs[good]); k != store.KindConflict {
		t.Errorf("duplicate call id: kind %v (%v), want conflict", k, errs[good])
	}
	if !store.IsNotFound(errs[good+1]) {
		t.Errorf("answer of a missing call: %v, want not found", errs[good+1])
	}
	if cs, err := s.ListCalls(ctx(), store.CallFilter{Limit: 1000}); err != nil || len(cs) != good+1 {
		t.Fatalf("%d calls stored, %v; want %d", len(cs), err, good+1)
	}
	if c := getCall(t, s, "taken"); !c.StartedAt.Equal(t0) {
		t.Errorf("the duplicate changed the first call: %+v", c)
	}
}

func testClosed(t *testing.T, s store.Store) {
	must(t, s.StartCall(ctx(), call("c1", t0)))
	must(t, s.Close())
	if _, err := s.GetCall(ctx(), "c1"); err == nil {
		t.Error("GetCall on a closed store succeeded")
	}
	if err := s.StartCall(ctx(), call("c2", t0)); err == nil {
		t.Error("StartCall on a closed store succeeded")
	}
	if err := s.EndCall(ctx(), "c1", t0, "completed", "", ""); err == nil {
		t.Error("EndCall on a closed store succeeded")
	}
}

func testLateAnswer(t *testing.T, s store.Store) {
	c := store.Call{ID: "late", LineID: "mum", Direction: "inbound", StartedAt: t0}
	must(t, s.StartCall(ctx(), c))
	must(t, s.EndCall(ctx(), "late", t0.Add(time.Second), "cancelled", "caller", ""))
	must(t, s.AnswerCall(ctx(), "late", t0.Add(2*time.Second)))
	got, err := s.GetCall(ctx(), "late")
	if err != nil || got.Outcome != "cancelled" {
		t.Fatalf("call = %+v, %v; want outcome cancelled", got, err)
	}
	if n, err := s.RecoverInterruptedCalls(ctx(), t0.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("recovery touched an ended call: %d, %v", n, err)
	}
}
