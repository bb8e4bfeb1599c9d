package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/clearline/clearline/internal/store"
)

func validUser(op string, u store.User) error {
	switch {
	case strings.TrimSpace(u.Username) == "":
		return store.Errorf(store.KindInvalid, op, "username is empty")
	case u.Role != store.RoleAdmin && u.Role != store.RoleCarer && u.Role != store.RoleAnalyst:
		return store.Errorf(store.KindInvalid, op, "role %q is not admin, carer or analyst", u.Role)
	case u.PasswordHash == "":
		return store.Errorf(store.KindInvalid, op, "password hash is empty")
	}
	return nil
}

func (s *DB) insertUser(ctx context.Context, tx *sql.Tx, op string, u store.User) error {
	exists, err := s.userExists(ctx, tx, u.Username)
	if err != nil {
		return err
	}
	if exists {
		return store.Errorf(store.KindConflict, op, "username %q is taken", u.Username)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)`),
		u.Username, u.Role, u.PasswordHash, ms(u.CreatedAt)); err != nil {
		return err
	}
	return s.setLines(ctx, tx, u.Username, u.Lines)
}

// userExists reports whether username has an account.
func (s *DB) userExists(ctx context.Context, tx *sql.Tx, username string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM users WHERE username = ?`), username).Scan(&n)
	return n > 0, err
}

func (s *DB) setLines(ctx context.Context, tx *sql.Tx, username string, lines []string) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_lines WHERE username = ?`), username); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO user_lines (username, line_id) VALUES (?, ?)`), username, l); err != nil {
			return err
		}
	}
	return nil
}

// CreateFirstAdmin creates the first administrator, once.
func (s *DB) CreateFirstAdmin(ctx context.Context, u store.User) error {
	const op = "create first admin"
	if err := validUser(op, u); err != nil {
		return err
	}
	if u.Role != store.RoleAdmin {
		return store.Errorf(store.KindInvalid, op, "the first user must be an admin, not %s", u.Role)
	}
	err := s.tx(ctx, op, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.Errorf(store.KindConflict, op, "setup is already done")
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO first_run (id, username, created_at) VALUES (1, ?, ?)`), u.Username, ms(u.CreatedAt)); err != nil {
			return err
		}
		return s.insertUser(ctx, tx, op, u)
	})
	if store.KindOf(err) == store.KindInternal && err != nil && s.setupDone(ctx) {
		// A racing setup won (PostgreSQL may report the lost race as a
		// serialisation error rather than a unique violation).
		return store.Errorf(store.KindConflict, op, "setup is already done")
	}
	return err
}

func (s *DB) setupDone(ctx context.Context) bool {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM first_run`).Scan(&n)
	return err == nil && n > 0
}

// CreateUser adds a user.
func (s *DB) CreateUser(ctx context.Context, u store.User) error {
	const op = "create user"
	if err := validUser(op, u); err != nil {
		return err
	}
	return s.tx(ctx, op, func(tx *sql.Tx) error { return s.insertUser(ctx, tx, op, u) })
}

// GetUser returns one user with their lines.
func (s *DB) GetUser(ctx context.Context, username string) (store.User, error) {
	const op = "get user"
	var u store.User
	var created int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT username, role, password_hash, created_at FROM users WHERE username = ?`), username).
		Scan(&u.Username, &u.Role, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.Errorf(store.KindNotFound, op, "no user %q", username)
	}
	if err != nil {
		return u, store.Errorf(store.KindInternal, op, "%w", err)
	}
	u.CreatedAt = fromMS(created)
	if u.Lines, err = s.userLines(ctx, username); err != nil {
		return u, store.Errorf(store.KindInternal, op, "%w", err)
	}
	return u, nil
}

func (s *DB) userLines(ctx context.Context, username string) ([]string, error) {
	return queryAll(ctx, s.db, s.q(`SELECT line_id FROM user_lines WHERE username = ? ORDER BY line_id`), []any{username},
		func(row rowScanner) (l string, err error) { return l, row.Scan(&l) })
}

// ListUsers returns every user by username.
func (s *DB) ListUsers(ctx context.Context) ([]store.User, error) {
	const op = "list users"
	// The rows are closed before each user's lines are read: SQLite may
	// have a single connection.
	out, err := queryAll(ctx, s.db, `SELECT username, role, password_hash, created_at FROM users ORDER BY username`, nil,
		func(row rowScanner) (u store.User, err error) {
			var created int64
			err = row.Scan(&u.Username, &u.Role, &u.PasswordHash, &created)
			u.CreatedAt = fromMS(created)
			return u, err
		})
	if err != nil {
		return nil, store.Errorf(store.KindInternal, op, "%w", err)
	}
	for i := range out {
		if out[i].Lines, err = s.userLines(ctx, out[i].Username); err != nil {
			return nil, store.Errorf(store.KindInternal, op, "%w", err)
		}
	}
	return out, nil
}

// CountUsers counts users.
func (s *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, store.Errorf(store.KindInternal, "count users", "%w", err)
	}
	return n, nil
}

// SetUserLines replaces a user's lines.
func (s *DB) SetUserLines(ctx context.Context, username string, lineIDs []string) error {
	const op = "set user lines"
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		exists, err := s.userExists(ctx, tx, username)
		if err != nil {
			return err
		}
		if !exists {
			return store.Errorf(store.KindNotFound, op, "no user %q", username)
		}
		return s.setLines(ctx, tx, username, slices.Sorted(slices.Values(lineIDs)))
	})
}

// SetPassword replaces a user's password hash and ends their other
// sessions.
func (s *DB) SetPassword(ctx context.Context, username, passwordHash, keepSession string) error {
	const op = "set password"
	if passwordHash == "" {
		return store.Errorf(store.KindInvalid, op, "password hash is empty")
	}
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE username = ?`), passwordHash, username)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.Errorf(store.KindNotFound, op, "no user %q", username)
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE username = ? AND token_hash <> ?`), username, keepSession)
		return err
	})
}

// DeleteUser removes a user, their lines and their sessions, but never the
// last administrator.
func (s *DB) DeleteUser(ctx context.Context, username string) error {
	const op = "delete user"
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		// Lock the administrators' rows first (PostgreSQL; SQLite's
		// transactions are IMMEDIATE), so two administrators removing each
		// other at once cannot both succeed.
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE users SET role = role WHERE role = ?`), store.RoleAdmin); err != nil {
			return err
		}
		var role string
		err := tx.QueryRowContext(ctx, s.q(`SELECT role FROM users WHERE username = ?`), username).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return store.Errorf(store.KindNotFound, op, "no user %q", username)
		}
		if err != nil {
			return err
		}
		if role == store.RoleAdmin {
			var admins int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM users WHERE role = ?`), store.RoleAdmin).Scan(&admins); err != nil {
				return err
			}
			if admins <= 1 {
				return store.Errorf(store.KindConflict, op, "%q is the last administrator", username)
			}
		}
		for _, q := range []string{`DELETE FROM sessions WHERE username = ?`, `DELETE FROM user_lines WHERE username = ?`, `DELETE FROM users WHERE username = ?`} {
			if _, err := tx.ExecContext(ctx, s.q(q), username); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateSession stores a session.
func (s *DB) CreateSession(ctx context.Context, se store.Session) error {
	const op = "create session"
	switch {
	case se.TokenHash == "":
		return store.Errorf(store.KindInvalid, op, "token hash is empty")
	case se.Username == "":
		return store.Errorf(store.KindInvalid, op, "username is empty")
	case se.CSRF == "":
		return store.Errorf(store.KindInvalid, op, "csrf token is empty")
	case !se.ExpiresAt.After(se.CreatedAt):
		return store.Errorf(store.KindInvalid, op, "session expires before it starts")
	}
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		exists, err := s.userExists(ctx, tx, se.Username)
		if err != nil {
			return err
		}
		if !exists {
			return store.Errorf(store.KindNotFound, op, "no user %q", se.Username)
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
			se.TokenHash, se.Username, se.CSRF, ms(se.CreatedAt), ms(se.ExpiresAt))
		return err
	})
}

// GetSession returns a session by token hash.
func (s *DB) GetSession(ctx context.Context, tokenHash string) (store.Session, error) {
	const op = "get session"
	var se store.Session
	var created, expires int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT token_hash, username, csrf, created_at, expires_at FROM sessions WHERE token_hash = ?`), tokenHash).
		Scan(&se.TokenHash, &se.Username, &se.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return se, store.Errorf(store.KindNotFound, op, "no such session")
	}
	if err != nil {
		return se, store.Errorf(store.KindInternal, op, "%w", err)
	}
	se.CreatedAt, se.ExpiresAt = fromMS(created), fromMS(expires)
	return se, nil
}

// DeleteSession removes a session.
func (s *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.tx(ctx, "delete session", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
		return err
	})
}

// RecordAudit appends to the audit log.
func (s *DB) RecordAudit(ctx context.Context, e store.AuditEntry) error {
	const op = "record audit"
	switch {
	case e.Actor == "":
		return store.Errorf(store.KindInvalid, op, "actor is empty")
	case e.Action == "":
		return store.Errorf(store.KindInvalid, op, "action is empty")
	case e.At.IsZero():
		return store.Errorf(store.KindInvalid, op, "time is missing")
	}
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (at, actor, line_id, action, detail) VALUES (?, ?, ?, ?, ?)`),
			ms(e.At), e.Actor, e.LineID, e.Action, e.Detail)
		return err
	})
}

// ListAudit returns audit entries, newest first.
func (s *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	const op = "list audit"
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := `SELECT id, at, actor, line_id, action, detail FROM audit_log`
	var args []any
	if f.LineID != "" {
		q += ` WHERE line_id = ?`
		args = append(args, f.LineID)
	}
	q += ` ORDER BY at DESC, id DESC LIMIT ?`
	args = append(args, f.Limit)
	out, err := queryAll(ctx, s.db, s.q(q), args, func(row rowScanner) (e store.AuditEntry, err error) {
		var at int64
		err = row.Scan(&e.ID, &at, &e.Actor, &e.LineID, &e.Action, &e.Detail)
		e.At = fromMS(at)
		return e, err
	})
	if err != nil {
		return nil, store.Errorf(store.KindInternal, op, "%w", err)
	}
	return out, nil
}

// GetLineSettings returns a line's dashboard settings.
func (s *DB) GetLineSettings(ctx context.Context, lineID string) (store.LineSettings, error) {
	const op = "get line settings"
	var ls store.LineSettings
	var at int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT line_id, unknown_callers, withheld_callers, quiet_hours, on_scam, updated_by, updated_at FROM line_settings WHERE line_id = ?`), lineID).
		Scan(&ls.LineID, &ls.UnknownCallers, &ls.WithheldCallers, &ls.QuietHours, &ls.OnScam, &ls.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return ls, store.Errorf(store.KindNotFound, op, "line %q has no dashboard settings", lineID)
	}
	if err != nil {
		return ls, store.Errorf(store.KindInternal, op, "%w", err)
	}
	ls.UpdatedAt = fromMS(at)
	return ls, nil
}

// PutLineSettings creates or replaces a line's dashboard settings.
func (s *DB) PutLineSettings(ctx context.Context, ls store.LineSettings) error {
	const op = "put line settings"
	switch {
	case ls.LineID == "":
		return store.Errorf(store.KindInvalid, op, "line id is empty")
	case !slices.Contains([]string{"challenge", "block", "allow"}, ls.UnknownCallers):
		return store.Errorf(store.KindInvalid, op, "unknown callers %q is not challenge, block or allow", ls.UnknownCallers)
	case !slices.Contains([]string{"challenge", "block"}, ls.WithheldCallers):
		return store.Errorf(store.KindInvalid, op, "withheld callers %q is not challenge or block", ls.WithheldCallers)
	case !slices.Contains([]string{"warn-and-end", "warn-and-continue"}, ls.OnScam):
		return store.Errorf(store.KindInvalid, op, "on scam %q is not warn-and-end or warn-and-continue", ls.OnScam)
	}
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE line_settings SET unknown_callers = ?, withheld_callers = ?, quiet_hours = ?, on_scam = ?, updated_by = ?, updated_at = ? WHERE line_id = ?`),
			ls.UnknownCallers, ls.WithheldCallers, ls.QuietHours, ls.OnScam, ls.UpdatedBy, ms(ls.UpdatedAt), ls.LineID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO line_settings (line_id, unknown_callers, withheld_callers, quiet_hours, on_scam, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			ls.LineID, ls.UnknownCallers, ls.WithheldCallers, ls.QuietHours, ls.OnScam, ls.UpdatedBy, ms(ls.UpdatedAt))
		return err
	})
}
