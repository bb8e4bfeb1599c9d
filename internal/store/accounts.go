package store

import (
	"context"
	"time"
)

// Accounts keeps the dashboard's users, the lines each carer looks after,
// and their login sessions. Passwords arrive already hashed: the store
// never sees one in the clear.
type Accounts interface {
	// CreateFirstAdmin creates u (an administrator) only while there are
	// no users at all: the first-run setup. Once it has succeeded, every
	// later call fails with KindConflict, even two racing at once.
	CreateFirstAdmin(ctx context.Context, u User) error
	// CreateUser adds a user; a taken username is KindConflict.
	CreateUser(ctx context.Context, u User) error
	// GetUser returns a user with the lines assigned to them.
	GetUser(ctx context.Context, username string) (User, error)
	// ListUsers returns every user by username.
	ListUsers(ctx context.Context) ([]User, error)
	// CountUsers says whether the first-run setup has happened.
	CountUsers(ctx context.Context) (int, error)
	// SetUserLines replaces the lines a user may see (carers).
	SetUserLines(ctx context.Context, username string, lineIDs []string) error
	// SetPassword replaces a user's password hash and, in the same
	// transaction, ends every session of theirs except keepSession (a
	// token hash; "" ends them all). An unknown user is KindNotFound and
	// an empty hash KindInvalid; either way nothing changes.
	SetPassword(ctx context.Context, username, passwordHash, keepSession string) error
	// DeleteUser removes a user with their lines and sessions at once. An
	// unknown user is KindNotFound; removing the last administrator is
	// KindConflict and changes nothing.
	DeleteUser(ctx context.Context, username string) error

	// CreateSession stores a login session, keyed by the hash of its token.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns a session (expired or not: the caller checks).
	GetSession(ctx context.Context, tokenHash string) (Session, error)
	// DeleteSession ends a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, tokenHash string) error
}

// Audit is the record of every change made through the dashboard.
type Audit interface {
	RecordAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns entries newest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// Settings keeps per-line policy a carer changed in the dashboard; it
// overrides the config file's values for that line.
type Settings interface {
	// GetLineSettings returns KindNotFound if the line's settings were
	// never changed from the config.
	GetLineSettings(ctx context.Context, lineID string) (LineSettings, error)
	PutLineSettings(ctx context.Context, s LineSettings) error
}

// Roles.
const (
	RoleAdmin   = "admin"   // everything, every line, users
	RoleCarer   = "carer"   // only the lines assigned to them
	RoleAnalyst = "analyst" // incidents across lines, district only
)

// User is a dashboard account.
type User struct {
	Username     string
	Role         string
	PasswordHash string
	Lines        []string // line ids (carers), sorted
	CreatedAt    time.Time
}

// Session is a logged-in browser.
type Session struct {
	TokenHash string // hex SHA-256 of the cookie's token
	Username  string
	CSRF      string // the form token for this session
	CreatedAt time.Time
	ExpiresAt time.Time
}

// AuditEntry is one change: who, what, when.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // username
	LineID string // "" for changes not about one line (users)
	Action string // e.g. "trusted.add"
	Detail string // plain English, e.g. "+442071838750 (Dr Patel)"
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	LineID string
	Limit  int // default 100
}

// LineSettings is a line's policy as changed in the dashboard.
type LineSettings struct {
	LineID          string
	UnknownCallers  string // challenge, block or allow
	WithheldCallers string // challenge or block
	QuietHours      string // "21:00-08:00" or ""
	OnScam          string // warn-and-end or warn-and-continue
	UpdatedBy       string
	UpdatedAt       time.Time
}
