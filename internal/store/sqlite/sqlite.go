// Package sqlite is clearline's embedded default store: SQLite through the
// pure-Go modernc.org/sqlite driver, in WAL mode with foreign keys on and a
// single writer connection.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/clearline/clearline/internal/store/sqldb"
)

// Open opens (creating if needed) the SQLite database at path.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open sqlite: empty path")
	}
	q := url.Values{}
	// busy_timeout first, so switching to WAL already waits for a
	// connection another process holds rather than failing at once.
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(ON)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// Write transactions take the write lock when they begin, so one that
	// reads before it writes waits for another writer (busy_timeout)
	// instead of failing with SQLITE_BUSY when it tries to write.
	q.Set("_txlock", "immediate")
	// SQLite reads a "file:" name as a URI: escape what it would decode
	// ('%') or cut off ('?', '#'), and keep a leading "//" from reading as
	// an authority, so the database is exactly the file named by path.
	name := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	if strings.HasPrefix(name, "/") {
		name = "//" + name
	}
	dsn := "file:" + name + "?" + q.Encode()
	if path == ":memory:" {
		dsn = "file::memory:?" + q.Encode()
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One connection: SQLite has a single writer, and this keeps ":memory:"
	// one database. WAL still lets readers in other processes proceed.
	db.SetMaxOpenConns(1)
	if err := connect(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s, err := sqldb.New(ctx, db, sqldb.Dialect{Name: "sqlite", IsConflict: func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
	}})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

// connect opens the first connection, which runs the pragmas. Switching a
// new file to WAL needs an exclusive lock, and when two processes ask for
// it at the same moment SQLite returns SQLITE_BUSY at once rather than
// wait (waiting could deadlock, so busy_timeout does not apply). The loser
// tries again after a short pause, for as long as busy_timeout would have
// waited.
func connect(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(5 * time.Second)
	for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
