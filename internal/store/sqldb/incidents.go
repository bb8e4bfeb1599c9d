package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/store"
)

func validIncident(inc store.Incident) error {
	const op = "record incident"
	switch {
	case inc.CallID == "":
		return store.Errorf(store.KindInvalid, op, "call id is empty")
	case inc.Verdict != "suspicious" && inc.Verdict != "scam":
		return store.Errorf(store.KindInvalid, op, "verdict %q is not suspicious or scam", inc.Verdict)
	case inc.FlaggedAt.IsZero():
		return store.Errorf(store.KindInvalid, op, "flagged time is missing")
	}
	return nil
}

func validAlert(a store.Alert) error {
	const op = "queue alert"
	switch {
	case a.Channel != store.ChannelEmail && a.Channel != store.ChannelWebhook:
		return store.Errorf(store.KindInvalid, op, "channel %q is not email or webhook", a.Channel)
	case strings.TrimSpace(a.Target) == "":
		return store.Errorf(store.KindInvalid, op, "alert target is empty")
	}
	return nil
}

// RecordIncident upserts the incident and queues its alerts, in one
// transaction.
func (s *DB) RecordIncident(ctx context.Context, inc store.Incident, alerts []store.Alert) error {
	if err := validIncident(inc); err != nil {
		return err
	}
	for _, a := range alerts {
		if err := validAlert(a); err != nil {
			return err
		}
	}
	if inc.CreatedAt.IsZero() {
		inc.CreatedAt = inc.FlaggedAt
	}
	transcript, err := json.Marshal(nonNil(inc.Transcript))
	if err != nil {
		return err
	}
	return s.tx(ctx, "record incident", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM incidents WHERE call_id = ?`), inc.CallID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO incidents (call_id, line_id, caller, district, verdict, score, tactics, explanation, action, recognizer, transcript, flagged_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				inc.CallID, inc.LineID, inc.Caller, inc.District, inc.Verdict, inc.Score, jsonList(inc.Tactics), inc.Explanation, inc.Action, inc.Recognizer, string(transcript), ms(inc.FlaggedAt), ms(inc.CreatedAt))
		} else {
			// The first flag time stays; everything else is the latest view.
			_, err = tx.ExecContext(ctx, s.q(`UPDATE incidents SET verdict = ?, score = ?, tactics = ?, explanation = ?, action = ?, recognizer = ?, transcript = ? WHERE call_id = ?`),
				inc.Verdict, inc.Score, jsonList(inc.Tactics), inc.Explanation, inc.Action, inc.Recognizer, string(transcript), inc.CallID)
		}
		if err != nil {
			return err
		}
		for _, a := range alerts {
			if a.NextAt.IsZero() {
				a.NextAt = inc.FlaggedAt
			}
			var status string
			err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM alerts WHERE call_id = ? AND channel = ? AND target = ?`), inc.CallID, a.Channel, a.Target).Scan(&status)
			switch {
			case err == sql.ErrNoRows:
				_, err = tx.ExecContext(ctx, s.q(`INSERT INTO alerts (call_id, line_id, channel, target, subject, body, status, attempts, next_at, created_at)
					VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`),
					inc.CallID, inc.LineID, a.Channel, a.Target, a.Subject, a.Body, ms(a.NextAt), ms(inc.FlaggedAt))
			case err == nil && status == "pending":
				_, err = tx.ExecContext(ctx, s.q(`UPDATE alerts SET subject = ?, body = ?, next_at = CASE WHEN next_at < ? THEN next_at ELSE ? END
					WHERE call_id = ? AND channel = ? AND target = ? AND status = 'pending'`),
					a.Subject, a.Body, ms(a.NextAt), ms(a.NextAt), inc.CallID, a.Channel, a.Target)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func nonNil(l []store.TranscriptLine) []store.TranscriptLine {
	if l == nil {
		return []store.TranscriptLine{}
	}
	return l
}

const incidentCols = `call_id, line_id, caller, district, verdict, score, tactics, explanation, action, recognizer, transcript, flagged_at, created_at`

func scanIncident(row rowScanner) (store.Incident, error) {
	var inc store.Incident
	var tactics, transcript string
	var flagged, created int64
	if err := row.Scan(&inc.CallID, &inc.LineID, &inc.Caller, &inc.District, &inc.Verdict, &inc.Score, &tactics, &inc.Explanation, &inc.Action, &inc.Recognizer, &transcript, &flagged, &created); err != nil {
		return inc, err
	}
	inc.Tactics = parseList(tactics)
	_ = json.Unmarshal([]byte(transcript), &inc.Transcript)
	inc.FlaggedAt, inc.CreatedAt = fromMS(flagged), fromMS(created)
	return inc, nil
}

// GetIncident returns a call's incident.
func (s *DB) GetIncident(ctx context.Context, callID string) (store.Incident, error) {
	inc, err := scanIncident(s.db.QueryRowContext(ctx, s.q(`SELECT `+incidentCols+` FROM incidents WHERE call_id = ?`), callID))
	if err == sql.ErrNoRows {
		return inc, store.Errorf(store.KindNotFound, "get incident", "no incident for call %q", callID)
	}
	if err != nil {
		return inc, store.Errorf(store.KindInternal, "get incident", "%w", err)
	}
	return inc, nil
}

// ListIncidents returns incidents newest first.
func (s *DB) ListIncidents(ctx context.Context, f store.IncidentFilter) ([]store.Incident, error) {
	q := `SELECT ` + incidentCols + ` FROM incidents WHERE 1=1`
	var args []any
	if f.LineID != "" {
		q += ` AND line_id = ?`
		args = append(args, f.LineID)
	}
	if !f.Since.IsZero() {
		q += ` AND created_at >= ?`
		args = append(args, ms(f.Since))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += ` ORDER BY created_at DESC, call_id LIMIT ?`
	args = append(args, limit)
	out, err := queryAll(ctx, s.db, s.q(q), args, scanIncident)
	if err != nil {
		return nil, store.Errorf(store.KindInternal, "list incidents", "%w", err)
	}
	return out, nil
}

const alertCols = `id, call_id, line_id, channel, target, subject, body, status, attempts, next_at, last_error, sent_at, created_at`

func scanAlert(row rowScanner) (store.Alert, error) {
	var a store.Alert
	var next, created int64
	var sent sql.NullInt64
	err := row.Scan(&a.ID, &a.CallID, &a.LineID, &a.Channel, &a.Target, &a.Subject, &a.Body, &a.Status, &a.Attempts, &next, &a.LastError, &sent, &created)
	a.NextAt, a.CreatedAt, a.SentAt = fromMS(next), fromMS(created), fromOptMS(sent)
	return a, err
}

// ClaimAlerts leases due pending alerts.
func (s *DB) ClaimAlerts(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Alert, error) {
	var out []store.Alert
	err := s.tx(ctx, "claim alerts", func(tx *sql.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, s.q(`SELECT `+alertCols+` FROM alerts WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`), []any{ms(now), limit}, scanAlert)
		if err != nil {
			return err
		}
		for i := range out {
			// Only claim what is still due: another process may have
			// leased it between the SELECT and here.
			res, err := tx.ExecContext(ctx, s.q(`UPDATE alerts SET attempts = attempts + 1, next_at = ? WHERE id = ? AND status = 'pending' AND next_at = ?`),
				ms(now.Add(lease)), out[i].ID, ms(out[i].NextAt))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				out[i].ID = 0
				continue
			}
			out[i].Attempts++
		}
		return nil
	})
	kept := out[:0]
	for _, a := range out {
		if a.ID != 0 {
			kept = append(kept, a)
		}
	}
	return kept, err
}

func (s *DB) alertUpdate(ctx context.Context, op string, id int64, query string, args ...any) error {
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), append(args, id)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.Errorf(store.KindNotFound, op, "no pending alert %d", id)
		}
		return nil
	})
}

// AlertSent marks an alert delivered.
func (s *DB) AlertSent(ctx context.Context, id int64, at time.Time) error {
	return s.alertUpdate(ctx, "alert sent", id, `UPDATE alerts SET status = 'sent', sent_at = ?, last_error = '' WHERE id = ? AND status = 'pending'`, ms(at))
}

// AlertFailed records a failed delivery attempt.
func (s *DB) AlertFailed(ctx context.Context, id int64, reason string, next time.Time, final bool) error {
	status := "pending"
	if final {
		status = "failed"
	}
	return s.alertUpdate(ctx, "alert failed", id, `UPDATE alerts SET status = ?, last_error = ?, next_at = ? WHERE id = ? AND status = 'pending'`, status, reason, ms(next))
}

// ReleaseAlerts makes a call's pending alerts due at `at` if they were
// held longer.
func (s *DB) ReleaseAlerts(ctx context.Context, callID string, at time.Time) error {
	return s.tx(ctx, "release alerts", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE alerts SET next_at = ? WHERE call_id = ? AND status = 'pending' AND next_at > ? AND attempts = 0`), ms(at), callID, ms(at))
		return err
	})
}

// ListAlerts returns a call's alerts (all calls when callID is empty),
// oldest first.
func (s *DB) ListAlerts(ctx context.Context, callID string) ([]store.Alert, error) {
	q, args := `SELECT `+alertCols+` FROM alerts`, []any{}
	if callID != "" {
		q += ` WHERE call_id = ?`
		args = append(args, callID)
	}
	out, err := queryAll(ctx, s.db, s.q(q+` ORDER BY id`), args, scanAlert)
	if err != nil {
		return nil, store.Errorf(store.KindInternal, "list alerts", "%w", err)
	}
	return out, nil
}

// PutAlertRecipient adds or renames a line's alert recipient.
func (s *DB) PutAlertRecipient(ctx context.Context, r store.AlertRecipient) error {
	const op = "put alert recipient"
	if r.LineID == "" {
		return store.Errorf(store.KindInvalid, op, "line id is empty")
	}
	if err := validAlert(store.Alert{Channel: r.Channel, Target: r.Target}); err != nil {
		return store.Errorf(store.KindInvalid, op, "%v", err)
	}
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE alert_recipients SET name = ? WHERE line_id = ? AND channel = ? AND target = ?`), r.Name, r.LineID, r.Channel, r.Target)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO alert_recipients (line_id, channel, target, name) VALUES (?, ?, ?, ?)`), r.LineID, r.Channel, r.Target, r.Name)
		return err
	})
}

// RemoveAlertRecipient removes one.
func (s *DB) RemoveAlertRecipient(ctx context.Context, lineID, channel, target string) error {
	return s.tx(ctx, "remove alert recipient", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM alert_recipients WHERE line_id = ? AND channel = ? AND target = ?`), lineID, channel, target)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.Errorf(store.KindNotFound, "remove alert recipient", "no %s recipient %q on line %s", channel, target, lineID)
		}
		return nil
	})
}

// ListAlertRecipients returns a line's recipients.
func (s *DB) ListAlertRecipients(ctx context.Context, lineID string) ([]store.AlertRecipient, error) {
	out, err := queryAll(ctx, s.db, s.q(`SELECT line_id, channel, target, name FROM alert_recipients WHERE line_id = ? ORDER BY channel, target`), []any{lineID},
		func(row rowScanner) (r store.AlertRecipient, err error) {
			err = row.Scan(&r.LineID, &r.Channel, &r.Target, &r.Name)
			return r, err
		})
	if err != nil {
		return nil, store.Errorf(store.KindInternal, "list alert recipients", "%w", err)
	}
	return out, nil
}

// QueueAlerts queues alerts without an incident, in one transaction; an
// alert already queued for the same call and recipient is left alone.
func (s *DB) QueueAlerts(ctx context.Context, alerts []store.Alert) error {
	const op = "queue alerts"
	for _, a := range alerts {
		if err := validAlert(a); err != nil {
			return err
		}
		if a.CallID == "" {
			return store.Errorf(store.KindInvalid, op, "alert call id is empty")
		}
		if a.CreatedAt.IsZero() {
			return store.Errorf(store.KindInvalid, op, "alert creation time is missing")
		}
	}
	return s.tx(ctx, op, func(tx *sql.Tx) error {
		for _, a := range alerts {
			if a.NextAt.IsZero() {
				a.NextAt = a.CreatedAt
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM alerts WHERE call_id = ? AND channel = ? AND target = ?`), a.CallID, a.Channel, a.Target).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO alerts (call_id, line_id, channel, target, subject, body, status, attempts, next_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`),
				a.CallID, a.LineID, a.Channel, a.Target, a.Subject, a.Body, ms(a.NextAt), ms(a.CreatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}
