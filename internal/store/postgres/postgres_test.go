package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqldb"
	"github.com/clearline/clearline/internal/store/storetest"
	"github.com/clearline/clearline/internal/store/storetest/pgtest"
)

// Each test runs in its own fresh schema on the server at
// CLEARLINE_TEST_POSTGRES (default pgtest.DefaultDSN); without a server the
// tests skip, except under CI=true where they fail.

func open(t *testing.T, dsn string) *sqldb.DB {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	pgtest.Admin(t) // skip once, not per subtest, without a server
	storetest.Run(t, func(t *testing.T) store.Store {
		dsn, _ := pgtest.Schema(t)
		return open(t, dsn)
	})
}

func TestReopen(t *testing.T) {
	dsn, schema := pgtest.Schema(t)
	storetest.RunReopen(t, func(t *testing.T) store.Store { return open(t, dsn) })
	// The tables are in the test's schema and no migration ran twice.
	s := open(t, dsn)
	var tables int
	if err := s.SQL().QueryRow(`SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = $1 AND table_name IN ('lines', 'calls', 'line_numbers', 'schema_migrations')`, schema).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 4 {
		t.Fatalf("%d of 4 tables in schema %s", tables, schema)
	}
	var rows, versions int
	if err := s.SQL().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != versions {
		t.Fatalf("schema_migrations has %d rows for %d versions", rows, versions)
	}
}

// Several clearline instances starting together against one fresh
// database all come up.
func TestConcurrentFirstOpen(t *testing.T) {
	dsn, _ := pgtest.Schema(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), dsn)
			if err == nil {
				err = s.PutLine(context.Background(), store.Line{ID: fmt.Sprint(i), CreatedAt: time.Now()})
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}

func TestBadDSN(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dsn := pgtest.DSN()
	tests := []struct{ name, dsn string }{
		{"closed port", "postgres://nobody:s3cr3t-pw@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"},
		{"bad port", "postgres://nobody:s3cr3t-pw@127.0.0.1:notaport/none"},
		{"bad escape", "postgres://nobody:s3cr3t-pw@127.0.0.1/%zz"},
		{"unknown option", "postgres://nobody:s3cr3t-pw@127.0.0.1:1/none?sslmode=bogus"},
		{"missing database", pgtest.WithSearchPath(strings.Replace(dsn, "/test?", "/clearline_no_such_db?", 1), "public")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.dsn)
			if err == nil {
				s.Close()
				if tt.name == "missing database" && !strings.Contains(dsn, "/test?") {
					t.Skip("CLEARLINE_TEST_POSTGRES names no /test database to replace")
				}
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			if !strings.HasPrefix(err.Error(), "open postgres: ") {
				t.Errorf("error %q does not say what failed", err)
			}
			if strings.Contains(err.Error(), "s3cr3t-pw") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}
