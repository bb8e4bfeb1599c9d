package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/clearline/clearline/internal/store"
)

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		numbered bool
		in, want string
	}{
		{false, "SELECT ? , ?", "SELECT ? , ?"},
		{true, "SELECT 1", "SELECT 1"},
		{true, "UPDATE t SET a = ?, b = ? WHERE id = ?", "UPDATE t SET a = $1, b = $2 WHERE id = $3"},
		{true, "«?»?", "«$1»$2"},
	}
	for _, tt := range tests {
		s := &DB{dialect: Dialect{Numbered: tt.numbered}}
		if got := s.q(tt.in); got != tt.want {
			t.Errorf("q(%q, numbered=%v) = %q, want %q", tt.in, tt.numbered, got, tt.want)
		}
	}
}

func TestLists(t *testing.T) {
	tests := []struct {
		in   []string
		json string
		back []string
	}{
		{nil, "[]", nil},
		{[]string{}, "[]", nil},
		{[]string{""}, `[""]`, []string{""}},
		{[]string{`a"b`, "ü"}, `["a\"b","ü"]`, []string{`a"b`, "ü"}},
	}
	for _, tt := range tests {
		j := jsonList(tt.in)
		if j != tt.json {
			t.Errorf("jsonList(%#v) = %s, want %s", tt.in, j, tt.json)
		}
		if got := parseList(j); !reflect.DeepEqual(got, tt.back) {
			t.Errorf("parseList(%s) = %#v, want %#v", j, got, tt.back)
		}
	}
	for _, bad := range []string{"", "null", "{}", "not json"} {
		if got := parseList(bad); got != nil {
			t.Errorf("parseList(%q) = %#v, want nil", bad, got)
		}
	}
}

func TestTimes(t *testing.T) {
	in := time.Date(2026, 11, 25, 10, 30, 15, 123_999_999, time.FixedZone("X", 3600))
	got := fromMS(ms(in))
	if want := in.UTC().Truncate(time.Millisecond); got != want {
		t.Errorf("round trip %v, want %v", got, want)
	}
	if fromOptMS(sql.NullInt64{}) != nil {
		t.Error("NULL time is not nil")
	}
	if optMS(nil) != nil || optMS(&time.Time{}) != nil || optMS(&in) != ms(in) {
		t.Error("optMS")
	}
}

func TestStripComments(t *testing.T) {
	in := "-- a comment\n  -- another\nCREATE TABLE x (a TEXT) -- trailing stays\n"
	if got := strings.TrimSpace(stripComments(in)); got != "CREATE TABLE x (a TEXT) -- trailing stays" {
		t.Errorf("stripComments = %q", got)
	}
	if strings.TrimSpace(stripComments("\n-- only\n")) != "" {
		t.Error("comment-only statement not empty")
	}
}

// Migration files are numbered uniquely and contain no ';' the statement
// splitter would cut inside a string or comment.
func TestMigrationFiles(t *testing.T) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v, %v", names, err)
	}
	seen := map[int]string{}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v <= 0 {
			t.Errorf("%s: bad version", base)
		}
		if seen[v] != "" {
			t.Errorf("%s and %s share version %d", seen[v], base, v)
		}
		seen[v] = base
		body, _ := migrations.ReadFile(name)
		for _, l := range strings.Split(string(body), "\n") {
			if i := strings.Index(l, "--"); i >= 0 && strings.Contains(l[i:], ";") {
				t.Errorf("%s: ';' in a comment: %q", base, l)
			}
			if strings.Count(l, "'")%2 == 0 && strings.Contains(l, "';") {
				t.Errorf("%s: ';' next to a string: %q", base, l)
			}
		}
	}
}

func newSQLite(t *testing.T, path string) *DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(context.Background(), db, Dialect{Name: "sqlite", IsConflict: func(err error) bool {
		return strings.Contains(err.Error(), "UNIQUE constraint failed")
	}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMigrateIdempotent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.db")
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	for i := 0; i < 3; i++ {
		s := newSQLite(t, p)
		var n int
		if err := s.SQL().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(names) {
			t.Fatalf("open %d: %d migrations recorded, want %d", i+1, n, len(names))
		}
		s.Close()
	}
}

func TestTxErrors(t *testing.T) {
	s := newSQLite(t, filepath.Join(t.TempDir(), "tx.db"))
	ctx := context.Background()
	if _, err := s.SQL().Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(tx *sql.Tx) error { _, err := tx.Exec(`INSERT INTO kv VALUES ('a')`); return err }
	if err := s.tx(ctx, "first", insert); err != nil {
		t.Fatal(err)
	}
	err := s.tx(ctx, "again", insert)
	if store.KindOf(err) != store.KindConflict || !strings.HasPrefix(err.Error(), "again: ") {
		t.Errorf("duplicate key: %v (kind %d), want an 'again: ' conflict", err, store.KindOf(err))
	}
	// A store error keeps its kind, and the transaction is rolled back.
	err = s.tx(ctx, "op", func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO kv VALUES ('b')`); err != nil {
			return err
		}
		return store.Errorf(store.KindNotFound, "op", "nothing")
	})
	if !store.IsNotFound(err) {
		t.Errorf("store error: %v", err)
	}
	var n int
	s.SQL().QueryRow(`SELECT COUNT(*) FROM kv`).Scan(&n)
	if n != 1 {
		t.Errorf("rolled-back insert kept: %d rows", n)
	}
	// Other errors are internal and keep their cause.
	cause := errors.New("boom")
	if err := s.tx(ctx, "op", func(*sql.Tx) error { return cause }); !errors.Is(err, cause) || store.KindOf(err) != store.KindInternal {
		t.Errorf("foreign error: %v", err)
	}
}

// The call log's reads find their rows through an index: the dashboard's
// (one line's calls, by time and by outcome), the recovery of calls left
// open (through the small partial index calls_open) and the committer's
// updates by id.
func TestCallQueriesUseIndexes(t *testing.T) {
	s := newSQLite(t, filepath.Join(t.TempDir(), "plans.db"))
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	type query struct {
		name, sql string
		args      []any
		index     string // the index the plan must use
	}
	var queries []query
	for _, f := range []struct {
		name string
		f    store.CallFilter
	}{
		{"call log", store.CallFilter{LineID: "mum", Limit: 200}},
		{"call log by outcome", store.CallFilter{LineID: "mum", Outcome: "completed", Limit: 200}},
		{"call log of calls in progress", store.CallFilter{LineID: "mum", Outcome: "in-progress", Limit: 200}},
		{"overview since", store.CallFilter{LineID: "mum", Since: day, Limit: 100000}},
		{"window", store.CallFilter{LineID: "mum", Since: day, Until: day.AddDate(0, 0, 1)}},
	} {
		q, args := listCallsQuery(f.f)
		queries = append(queries, query{f.name, q, args, "calls_line_started"})
	}
	queries = append(queries,
		query{"recover interrupted calls", recoverSQL, []any{int64(0)}, "calls_open"},
		query{"answer call", callStmtSQL[stmtAnswerCall], []any{int64(0), "c1"}, "sqlite_autoindex_calls_1"},
		query{"end call", callStmtSQL[stmtEndCall], []any{int64(0), "completed", "caller", "", "c1"}, "sqlite_autoindex_calls_1"},
	)
	for _, q := range queries {
		rows, err := s.SQL().Query("EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatalf("%s: %v", q.name, err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "USING INDEX "+q.index+" ") {
			t.Errorf("%s: plan %q, want it to use index %s", q.name, p, q.index)
		}
	}
}
