package sqldb

import (
	"context"
	"database/sql"

	"github.com/clearline/clearline/internal/store"
)

func validList(op string, lineID, kind, number string) error {
	switch {
	case lineID == "":
		return store.Errorf(store.KindInvalid, op, "line id is empty")
	case kind != "trusted" && kind != "blocked":
		return store.Errorf(store.KindInvalid, op, "list %q is not trusted or blocked", kind)
	case number == "":
		return store.Errorf(store.KindInvalid, op, "number is empty")
	}
	return nil
}

// AddListEntry records a number on a line's list (idempotent).
func (s *DB) AddListEntry(ctx context.Context, e store.ListEntry) error {
	if err := validList("add list entry", e.LineID, e.Kind, e.Number); err != nil {
		return err
	}
	return s.tx(ctx, "add list entry", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM line_numbers WHERE line_id = ? AND kind = ? AND number = ?`),
			e.LineID, e.Kind, e.Number).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO line_numbers (line_id, kind, number, name, added_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
			e.LineID, e.Kind, e.Number, e.Name, e.AddedBy, ms(e.CreatedAt))
		return err
	})
}

// RemoveListEntry takes a number off a line's list.
func (s *DB) RemoveListEntry(ctx context.Context, lineID, kind, number string) error {
	if err := validList("remove list entry", lineID, kind, number); err != nil {
		return err
	}
	return s.tx(ctx, "remove list entry", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM line_numbers WHERE line_id = ? AND kind = ? AND number = ?`), lineID, kind, number)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.Errorf(store.KindNotFound, "remove list entry", "%s is not on line %s's %s list", number, lineID, kind)
		}
		return nil
	})
}

// ListEntries returns a line's list, oldest first.
func (s *DB) ListEntries(ctx context.Context, lineID, kind string) ([]store.ListEntry, error) {
	out, err := queryAll(ctx, s.db, s.q(`SELECT line_id, kind, number, name, added_by, created_at FROM line_numbers
		WHERE line_id = ? AND kind = ? ORDER BY created_at, number`), []any{lineID, kind},
		func(row rowScanner) (e store.ListEntry, err error) {
			var created int64
			err = row.Scan(&e.LineID, &e.Kind, &e.Number, &e.Name, &e.AddedBy, &created)
			e.CreatedAt = fromMS(created)
			return e, err
		})
	if err != nil {
		return nil, store.Errorf(store.KindInternal, "list entries", "%w", err)
	}
	return out, nil
}
