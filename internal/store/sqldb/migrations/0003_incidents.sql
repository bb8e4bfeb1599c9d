-- Incidents the in-call guard recorded, and the alert outbox: one row per
-- call and recipient, so an alert is never queued twice.
CREATE TABLE incidents (
    call_id      TEXT PRIMARY KEY,
    line_id      TEXT NOT NULL DEFAULT '',
    caller       TEXT NOT NULL DEFAULT '',
    district     TEXT NOT NULL DEFAULT '',
    verdict      TEXT NOT NULL CHECK (verdict IN ('suspicious', 'scam')),
    score        DOUBLE PRECISION NOT NULL DEFAULT 0,
    tactics      TEXT NOT NULL DEFAULT '[]',
    explanation  TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL DEFAULT '',
    recognizer   TEXT NOT NULL DEFAULT '',
    transcript   TEXT NOT NULL DEFAULT '[]',
    flagged_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX incidents_line_created ON incidents (line_id, created_at);
CREATE INDEX incidents_created ON incidents (created_at);

CREATE TABLE alerts (
    id          {{autoid}},
    call_id     TEXT NOT NULL,
    line_id     TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    sent_at     BIGINT,
    created_at  BIGINT NOT NULL,
    UNIQUE (call_id, channel, target)
);
CREATE INDEX alerts_due ON alerts (status, next_at);

CREATE TABLE alert_recipients (
    line_id  TEXT NOT NULL,
    channel  TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target   TEXT NOT NULL,
    name     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (line_id, channel, target)
);
