// Package pgtest gives tests their own PostgreSQL schema on the test server:
// env CLEARLINE_TEST_POSTGRES, or a local server with trust authentication.
// When the server is unreachable the test is skipped, except in CI (env
// CI=true), which guarantees PostgreSQL and so fails instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// DefaultDSN is used when CLEARLINE_TEST_POSTGRES is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DSN is the test server's DSN.
func DSN() string {
	if d := os.Getenv("CLEARLINE_TEST_POSTGRES"); d != "" {
		return d
	}
	return DefaultDSN
}

// Unreachable skips t (or fails it in CI) because PostgreSQL cannot be used.
func Unreachable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL at %s is required in CI (CI=true) but unusable: %v", redact(DSN()), err)
	}
	t.Skipf("PostgreSQL at %s is unreachable, skipping (set CLEARLINE_TEST_POSTGRES to test it): %v", redact(DSN()), err)
}

// Admin connects to the test server, or skips/fails t as Unreachable does.
// The connection is closed when t ends.
func Admin(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", DSN())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		Unreachable(t, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Schema creates an empty schema clearline_test_<random> for t, dropped
// (CASCADE) when t ends, and returns the test DSN with search_path set to
// it, so everything a store creates lands there.
func Schema(t testing.TB) (dsn, schema string) {
	t.Helper()
	admin := Admin(t)
	b := make([]byte, 8)
	rand.Read(b)
	schema = "clearline_test_" + hex.EncodeToString(b)
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := admin.Exec("CREATE SCHEMA " + ident); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + ident + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(DSN(), schema), schema
}

// WithSearchPath returns dsn (a URL or keyword/value string) with the
// search_path runtime parameter set to schema.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

// redact hides a password in a URL DSN for messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}
