package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/clearline/clearline/internal/store"
)

// PutLine creates or updates a line (its creation time is kept).
func (s *DB) PutLine(ctx context.Context, l store.Line) error {
	if strings.TrimSpace(l.ID) == "" {
		return store.Errorf(store.KindInvalid, "put line", "line id is empty")
	}
	return s.tx(ctx, "put line", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE lines SET name = ?, postcode = ? WHERE id = ?`), l.Name, l.Postcode, l.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO lines (id, name, postcode, created_at) VALUES (?, ?, ?, ?)`),
			l.ID, l.Name, l.Postcode, ms(l.CreatedAt))
		return err
	})
}

// GetLine returns one line.
func (s *DB) GetLine(ctx context.Context, id string) (store.Line, error) {
	var l store.Line
	var created int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, name, postcode, created_at FROM lines WHERE id = ?`), id).
		Scan(&l.ID, &l.Name, &l.Postcode, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return l, store.Errorf(store.KindNotFound, "get line", "no line %q", id)
	}
	if err != nil {
		return l, store.Errorf(store.KindInternal, "get line", "%w", err)
	}
	l.CreatedAt = fromMS(created)
	return l, nil
}

// ListLines returns all lines by id.
func (s *DB) ListLines(ctx context.Context) ([]store.Line, error) {
	out, err := queryAll(ctx, s.db, `SELECT id, name, postcode, created_at FROM lines ORDER BY id`, nil,
		func(row rowScanner) (l store.Line, err error) {
			var created int64
			err = row.Scan(&l.ID, &l.Name, &l.Postcode, &created)
			l.CreatedAt = fromMS(created)
			return l, err
		})
	if err != nil {
		return nil, store.Errorf(store.KindInternal, "list lines", "%w", err)
	}
	return out, nil
}
