// Package sqldb is the store.Store implementation shared by the SQLite and
// PostgreSQL backends: plain database/sql with '?' placeholders rewritten
// per dialect, numbered embedded migrations, and one transaction per method.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clearline/clearline/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is what differs between the databases.
type Dialect struct {
	Name string
	// Numbered placeholders ($1, $2...) instead of '?'.
	Numbered bool
	// IsConflict recognises a unique-constraint violation.
	IsConflict func(error) bool
	// MigrationLock, if set, runs first in the migration transaction to
	// keep out other processes migrating the same database at once (for
	// PostgreSQL an advisory transaction lock; SQLite needs none when its
	// transactions begin IMMEDIATE).
	MigrationLock string
	// AutoID is the column type of an auto-numbered primary key, written
	// {{autoid}} in migrations (default: SQLite's INTEGER PRIMARY KEY).
	AutoID string
}

// DB implements store.Store over database/sql.
type DB struct {
	db      *sql.DB
	dialect Dialect
	calls   *committer // the call log's writes (commit.go)
	close   sync.Once
}

var _ store.Store = (*DB)(nil)

// New wraps an open database and applies pending migrations.
func New(ctx context.Context, db *sql.DB, d Dialect) (*DB, error) {
	s := &DB{db: db, dialect: d}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	c, err := newCommitter(ctx, s)
	if err != nil {
		return nil, err
	}
	s.calls = c
	return s, nil
}

// SQL returns the underlying handle (tests).
func (s *DB) SQL() *sql.DB { return s.db }

// Close commits the call-log writes still queued and closes the database.
func (s *DB) Close() error {
	s.close.Do(s.calls.stop)
	return s.db.Close()
}

// q rewrites '?' placeholders for the dialect.
func (s *DB) q(query string) string {
	if !s.dialect.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrate applies pending migrations in one transaction, so several
// processes opening a new database at once neither collide nor apply a
// migration twice, and a failed migration leaves the schema as it was.
func (s *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	return s.tx(ctx, "migrate", func(tx *sql.Tx) error {
		if s.dialect.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.dialect.MigrationLock); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		for _, name := range names {
			base := strings.TrimPrefix(name, "migrations/")
			v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
			if err != nil {
				return fmt.Errorf("bad migration name %s", base)
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), v).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			autoID := s.dialect.AutoID
			if autoID == "" {
				autoID = "INTEGER PRIMARY KEY"
			}
			for _, stmt := range strings.Split(strings.ReplaceAll(string(body), "{{autoid}}", autoID), ";") {
				if strings.TrimSpace(stripComments(stmt)) == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", base, err)
				}
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v, time.Now().UnixMilli()); err != nil {
				return fmt.Errorf("%s: %w", base, err)
			}
		}
		return nil
	})
}

func stripComments(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// tx runs f in a transaction, wrapping errors with op.
func (s *DB) tx(ctx context.Context, op string, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", op, err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		var se *store.Error
		if errors.As(err, &se) {
			return err
		}
		if s.dialect.IsConflict != nil && s.dialect.IsConflict(err) {
			return &store.Error{Kind: store.KindConflict, Op: op, Err: err}
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", op, err)
	}
	return nil
}

// rowScanner is what *sql.Row and *sql.Rows share: one row's Scan.
type rowScanner interface{ Scan(...any) error }

// queryer runs a query on the database or inside a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll runs query (placeholders already in the dialect's form) on db
// and returns each row as scan reads it. The rows are closed before it
// returns, so the caller may query again on the same connection. Errors
// come back unwrapped for the caller to name its operation.
func queryAll[T any](ctx context.Context, db queryer, query string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func ms(t time.Time) int64 { return t.UTC().UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func optMS(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return ms(*t)
}

func fromOptMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

func parseList(s string) []string {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil || len(l) == 0 {
		return nil
	}
	return l
}
