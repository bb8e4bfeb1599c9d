// Package store defines clearline's persistence: the call log, protected
// lines, and the records later parts add to them. It holds the types, the
// Store interface and the error kinds; sqlite/ and postgres/ implement it
// (through sqldb/) and storetest/ is the conformance suite both must pass.
//
// Every method takes a context and runs in its own transaction, so a process
// killed at any moment leaves each row consistent.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store is everything clearline keeps.
type Store interface {
	PutLine(ctx context.Context, l Line) error
	GetLine(ctx context.Context, id string) (Line, error)
	ListLines(ctx context.Context) ([]Line, error)

	StartCall(ctx context.Context, c Call) error
	AnswerCall(ctx context.Context, id string, at time.Time) error
	// EndCall records the end; reason says why when clearline ended the
	// call ("" otherwise).
	EndCall(ctx context.Context, id string, at time.Time, outcome, hangupBy, reason string) error
	SetCallDecision(ctx context.Context, id, decision string, reasons []string) error
	SetCallVerdict(ctx context.Context, id, verdict string, tactics []string) error
	GetCall(ctx context.Context, id string) (Call, error)
	ListCalls(ctx context.Context, f CallFilter) ([]Call, error)
	// RecoverInterruptedCalls marks calls a killed process left
	// "in-progress" or "answered" as "interrupted", ended at `at`.
	RecoverInterruptedCalls(ctx context.Context, at time.Time) (int, error)

	// AddListEntry records a trusted or blocked number for a line; adding
	// one that is already there changes nothing and is not an error.
	AddListEntry(ctx context.Context, e ListEntry) error
	RemoveListEntry(ctx context.Context, lineID, kind, number string) error
	ListEntries(ctx context.Context, lineID, kind string) ([]ListEntry, error)

	Incidents
	Accounts
	Audit
	Settings

	Close() error
}

// ListEntry is a number on one of a line's lists.
type ListEntry struct {
	LineID    string
	Kind      string // "trusted" or "blocked"
	Number    string // E.164
	Name      string
	AddedBy   string // e.g. "key 3 after a challenge", or a carer's name
	CreatedAt time.Time
}

// Line is a protected line.
type Line struct {
	ID        string
	Name      string
	Postcode  string // full postcode; analysts only ever see its district
	CreatedAt time.Time
}

// Call is one row of the call log.
type Call struct {
	ID         string
	LineID     string
	Direction  string // "inbound" or "outbound"
	From, To   string
	CallerName string
	StartedAt  time.Time
	AnsweredAt *time.Time
	EndedAt    *time.Time
	// Outcome: in-progress, answered, completed, busy, no-answer,
	// cancelled, rejected, refused, blocked, challenge-failed, failed,
	// interrupted.
	Outcome   string
	HangupBy  string // caller, callee, clearline or ""
	EndReason string // why clearline ended the call, when it did
	Decision  string // screening: allow, block, challenge or "" (outbound)
	Reasons   []string
	Emergency bool
	Verdict   string // detector verdict, when the call was analysed
	Tactics   []string
}

// Duration is the talk time (zero if never answered or not ended).
func (c Call) Duration() time.Duration {
	if c.AnsweredAt == nil || c.EndedAt == nil {
		return 0
	}
	return c.EndedAt.Sub(*c.AnsweredAt)
}

// CallFilter selects calls; zero fields match everything. Newest first.
type CallFilter struct {
	LineID       string
	Since, Until time.Time
	Outcome      string
	Limit        int // default 100
	Offset       int
}

// Kind classifies store errors so callers (the web layer) can map them.
type Kind int

// Error kinds.
const (
	KindInternal Kind = iota
	KindNotFound
	KindConflict
	KindInvalid
)

// Error is a store error with a kind.
type Error struct {
	Kind Kind
	Op   string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Op, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error.
func Errorf(kind Kind, op, format string, a ...any) error {
	return &Error{Kind: kind, Op: op, Err: fmt.Errorf(format, a...)}
}

// KindOf returns err's kind (KindInternal for foreign errors).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsNotFound reports whether err means the record does not exist.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }
