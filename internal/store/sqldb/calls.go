package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// StartCall inserts a call as "in-progress".
func (s *DB) StartCall(ctx context.Context, c store.Call) error {
	if c.ID == "" {
		return store.Errorf(store.KindInvalid, "start call", "call id is empty")
	}
	if c.Direction != "inbound" && c.Direction != "outbound" {
		return store.Errorf(store.KindInvalid, "start call", "direction %q is not inbound or outbound", c.Direction)
	}
	if c.StartedAt.IsZero() {
		return store.Errorf(store.KindInvalid, "start call", "start time is missing")
	}
	return s.calls.write(ctx, "start call", stmtStartCall, "",
		c.ID, c.LineID, c.Direction, c.From, c.To, c.CallerName, ms(c.StartedAt), c.Emergency, c.Decision, jsonList(c.Reasons))
}

// AnswerCall records when the call was answered.
func (s *DB) AnswerCall(ctx context.Context, id string, at time.Time) error {
	return s.calls.write(ctx, "answer call", stmtAnswerCall, id, ms(at), id)
}

// EndCall records the end, the outcome, who hung up and, when clearline
// did, why.
func (s *DB) EndCall(ctx context.Context, id string, at time.Time, outcome, hangupBy, reason string) error {
	if strings.TrimSpace(outcome) == "" || outcome == "in-progress" {
		return store.Errorf(store.KindInvalid, "end call", "outcome %q is not a final outcome", outcome)
	}
	return s.calls.write(ctx, "end call", stmtEndCall, id, ms(at), outcome, hangupBy, reason, id)
}

// SetCallDecision stores the screening decision and its reasons.
func (s *DB) SetCallDecision(ctx context.Context, id, decision string, reasons []string) error {
	return s.calls.write(ctx, "set call decision", stmtCallDecision, id, decision, jsonList(reasons), id)
}

// SetCallVerdict stores the detector's verdict and tactics.
func (s *DB) SetCallVerdict(ctx context.Context, id, verdict string, tactics []string) error {
	return s.calls.write(ctx, "set call verdict", stmtCallVerdict, id, verdict, jsonList(tactics), id)
}

const callColumns = `id, line_id, direction, from_number, to_number, caller_name, started_at, answered_at, ended_at,
	outcome, hangup_by, end_reason, decision, reasons, emergency, verdict, tactics`

func scanCall(sc rowScanner) (store.Call, error) {
	var c store.Call
	var started int64
	var answered, ended sql.NullInt64
	var reasons, tactics string
	err := sc.Scan(&c.ID, &c.LineID, &c.Direction, &c.From, &c.To, &c.CallerName, &started, &answered, &ended,
		&c.Outcome, &c.HangupBy, &c.EndReason, &c.Decision, &reasons, &c.Emergency, &c.Verdict, &tactics)
	if err != nil {
		return c, err
	}
	c.StartedAt = fromMS(started)
	c.AnsweredAt, c.EndedAt = fromOptMS(answered), fromOptMS(ended)
	c.Reasons, c.Tactics = parseList(reasons), parseList(tactics)
	return c, nil
}

// GetCall returns one call.
func (s *DB) GetCall(ctx context.Context, id string) (store.Call, error) {
	c, err := scanCall(s.db.QueryRowContext(ctx, s.q(`SELECT `+callColumns+` FROM calls WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.Errorf(store.KindNotFound, "get call", "no call %q", id)
	}
	if err != nil {
		return c, store.Errorf(store.KindInternal, "get call", "%w", err)
	}
	return c, nil
}

// ListCalls returns calls matching f, newest first.
func (s *DB) ListCalls(ctx context.Context, f store.CallFilter) ([]store.Call, error) {
	q, args := listCallsQuery(f)
	out, err := queryAll(ctx, s.db, s.q(q), args, scanCall)
	if err != nil {
		return nil, store.Errorf(store.KindInternal, "list calls", "%w", err)
	}
	return out, nil
}

// listCallsQuery is ListCalls' query for f. One line's calls, the
// dashboard's every query, are found along calls_line_started, outcome or
// not: only calls still open have an outcome index (calls_open).
func listCallsQuery(f store.CallFilter) (string, []any) {
	var where []string
	var args []any
	if f.LineID != "" {
		where, args = append(where, "line_id = ?"), append(args, f.LineID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "started_at < ?"), append(args, ms(f.Until))
	}
	if f.Outcome != "" {
		where, args = append(where, "outcome = ?"), append(args, f.Outcome)
	}
	q := `SELECT ` + callColumns + ` FROM calls`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += " ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?"
	return q, append(args, limit, max(f.Offset, 0))
}

// recoverSQL closes the calls a killed process left open, found through
// the partial index calls_open, whose condition it repeats word for word.
const recoverSQL = `UPDATE calls SET outcome = 'interrupted', ended_at = ?, hangup_by = 'clearline', end_reason = 'clearline stopped during the call'
	WHERE outcome IN ('in-progress', 'answered')`

// RecoverInterruptedCalls closes calls left open by a killed process.
func (s *DB) RecoverInterruptedCalls(ctx context.Context, at time.Time) (int, error) {
	var n int64
	err := s.tx(ctx, "recover interrupted calls", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(recoverSQL), ms(at))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
