package open

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqlite"
	"github.com/clearline/clearline/internal/store/storetest/pgtest"
)

var ctx = context.Background()

// put opens dsn, stores a line and closes it.
func put(t *testing.T, dsn, id string) {
	t.Helper()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open(%q): %v", dsn, err)
	}
	defer s.Close()
	if err := s.PutLine(ctx, store.Line{ID: id, Name: "via " + dsn, CreatedAt: time.Now()}); err != nil {
		t.Fatalf("Open(%q).PutLine: %v", dsn, err)
	}
}

// TestSQLite checks each SQLite spelling opens SQLite at exactly the path
// it names.
func TestSQLite(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, dsn, path string }{
		{"plain path", filepath.Join(dir, "plain.db"), filepath.Join(dir, "plain.db")},
		{"sqlite:// and an absolute path", "sqlite://" + filepath.Join(dir, "url.db"), filepath.Join(dir, "url.db")},
		{"sqlite: and an absolute path", "sqlite:" + filepath.Join(dir, "colon.db"), filepath.Join(dir, "colon.db")},
		{"path with URI characters", filepath.Join(dir, "a b#c?d=e%20.db"), filepath.Join(dir, "a b#c?d=e%20.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			put(t, tt.dsn, "mum")
			s, err := sqlite.Open(ctx, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if l, err := s.GetLine(ctx, "mum"); err != nil || l.Name != "via "+tt.dsn {
				t.Fatalf("%s holds %+v, %v", tt.path, l, err)
			}
		})
	}

	t.Run("relative paths", func(t *testing.T) {
		t.Chdir(t.TempDir())
		for _, tt := range []struct{ dsn, path string }{
			{"rel.db", "rel.db"},
			{"sqlite://rel-url.db", "rel-url.db"},
			{"sqlite:rel-colon.db", "rel-colon.db"},
		} {
			put(t, tt.dsn, "mum")
			if _, err := os.Stat(tt.path); err != nil {
				t.Errorf("%q: %v", tt.dsn, err)
			}
		}
	})
}

func TestPostgres(t *testing.T) {
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		t.Run(scheme, func(t *testing.T) {
			dsn, schema := pgtest.Schema(t)
			dsn = scheme + strings.SplitN(dsn, "://", 2)[1]
			put(t, dsn, "mum")
			var name string
			q := "SELECT name FROM " + pgx.Identifier{schema, "lines"}.Sanitize() + " WHERE id = 'mum'"
			if err := pgtest.Admin(t).QueryRow(q).Scan(&name); err != nil || name != "via "+dsn {
				t.Fatalf("PostgreSQL schema %s holds %q, %v", schema, name, err)
			}
		})
	}
}

// Bad DSNs give an error naming the backend, never a panic, and never a
// stray SQLite file.
func TestBadDSN(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := []struct{ name, dsn, want string }{
		{"empty", "", "sqlite"},
		{"empty sqlite path", "sqlite:", "sqlite"},
		{"empty sqlite url", "sqlite://", "sqlite"},
		{"sqlite in a missing directory", "sqlite:no/such/dir/c.db", "sqlite"},
		{"postgres on a closed port", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "postgres"},
		{"postgres with a bad port", "postgres://nobody@127.0.0.1:notaport/none", "postgres"},
		{"postgresql with a bad escape", "postgresql://nobody@127.0.0.1/%zz", "postgres"},
		{"postgres with a bad option", "postgres://127.0.0.1:1/none?sslmode=bogus", "postgres"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.dsn)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %q; want an error that names %s", tt.dsn, err, tt.want)
			}
		})
	}
	if ents, _ := os.ReadDir("."); len(ents) != 0 {
		t.Errorf("bad DSNs left files behind: %v", ents)
	}
}
