// Package postgres is clearline's shared store for several instances:
// PostgreSQL through pgx's database/sql driver.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/clearline/clearline/internal/store/sqldb"
)

// migrationLock serialises clearline instances migrating one database at
// once (the key is arbitrary but fixed: "clearlin" in ASCII).
const migrationLock = `SELECT pg_advisory_xact_lock(7164212576445557102)`

// Open connects to the PostgreSQL database at dsn (a postgres:// URL) and
// applies pending migrations.
func Open(ctx context.Context, dsn string) (*sqldb.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(10)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s, err := sqldb.New(ctx, db, sqldb.Dialect{Name: "postgres", Numbered: true, IsConflict: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	}, MigrationLock: migrationLock, AutoID: "BIGSERIAL PRIMARY KEY"})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}
