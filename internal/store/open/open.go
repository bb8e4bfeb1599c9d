// Package open chooses the store backend from a DSN: "postgres://..." or
// "postgresql://..." opens PostgreSQL; "sqlite://PATH", "sqlite:PATH" or a
// plain file path opens SQLite.
package open

import (
	"context"
	"strings"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/postgres"
	"github.com/clearline/clearline/internal/store/sqlite"
)

// Open opens the store named by dsn.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite://"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite://"))
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	default:
		return sqlite.Open(ctx, dsn)
	}
}
