package store

import (
	"context"
	"time"
)

// Incidents keeps what the in-call guard found and the alerts it owes the
// family: an outbox, so an alert is never lost on restart and never queued
// twice for one call and recipient.
type Incidents interface {
	// RecordIncident stores (or updates, keyed by call) an incident and
	// queues its alerts in one transaction. An alert for a call and
	// recipient that is already queued is upgraded in place while still
	// pending (a suspicious call that turns out to be a scam) and left
	// alone once sent.
	RecordIncident(ctx context.Context, inc Incident, alerts []Alert) error
	GetIncident(ctx context.Context, callID string) (Incident, error)
	ListIncidents(ctx context.Context, f IncidentFilter) ([]Incident, error)

	// ClaimAlerts returns up to limit pending alerts due at now and leases
	// them until now+lease: a process that dies mid-delivery leaves them
	// to be retried once the lease runs out.
	ClaimAlerts(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Alert, error)
	// AlertSent marks an alert delivered.
	AlertSent(ctx context.Context, id int64, at time.Time) error
	// AlertFailed records a failed attempt: retry at next, or give up
	// (status "failed") when final.
	AlertFailed(ctx context.Context, id int64, reason string, next time.Time, final bool) error
	// ReleaseAlert makes a pending alert due at `at` (the call ended, so a
	// held suspicious alert may go now).
	ReleaseAlerts(ctx context.Context, callID string, at time.Time) error
	ListAlerts(ctx context.Context, callID string) ([]Alert, error)
	// QueueAlerts queues alerts that belong to no incident (e.g. "Mum
	// called 101 to check after a suspicious call"), each keyed by its
	// CallID, Channel and Target like incident alerts: queueing one that is
	// already there changes nothing. A zero NextAt is due at CreatedAt.
	QueueAlerts(ctx context.Context, alerts []Alert) error

	PutAlertRecipient(ctx context.Context, r AlertRecipient) error
	RemoveAlertRecipient(ctx context.Context, lineID, channel, target string) error
	ListAlertRecipients(ctx context.Context, lineID string) ([]AlertRecipient, error)
}

// Incident is a call the detector judged suspicious or a scam. Transcript
// text is redacted before it gets here.
type Incident struct {
	CallID      string
	LineID      string
	Caller      string // the presented number
	District    string // postcode district of the line, the most an analyst sees
	Verdict     string // suspicious or scam
	Score       float64
	Tactics     []string
	Explanation string
	Action      string // what clearline did: "warned and continued", "warned and ended", "alerted"
	Recognizer  string
	Transcript  []TranscriptLine
	FlaggedAt   time.Time
	CreatedAt   time.Time
}

// TranscriptLine is one redacted segment of an incident's transcript.
type TranscriptLine struct {
	At      time.Duration `json:"at"`
	Speaker string        `json:"speaker"`
	Text    string        `json:"text"`
}

// IncidentFilter selects incidents, newest first.
type IncidentFilter struct {
	LineID string
	Since  time.Time
	Limit  int // default 100
}

// Alert channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Alert is one message owed to one recipient about one call.
type Alert struct {
	ID        int64
	CallID    string
	LineID    string
	Channel   string // email or webhook
	Target    string // e-mail address or URL
	Subject   string
	Body      string // plain text for e-mail; JSON for webhooks
	Status    string // pending, sent, failed
	Attempts  int
	NextAt    time.Time
	LastError string
	SentAt    *time.Time
	CreatedAt time.Time
}

// AlertRecipient is a trusted family contact to alert for a line.
type AlertRecipient struct {
	LineID  string
	Channel string
	Target  string
	Name    string
}
