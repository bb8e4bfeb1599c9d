-- Lines and the call log. Times are Unix milliseconds (UTC) so both SQLite
-- and PostgreSQL store them exactly alike.
CREATE TABLE lines (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    postcode    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE calls (
    id           TEXT PRIMARY KEY,
    line_id      TEXT NOT NULL DEFAULT '',
    direction    TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    from_number  TEXT NOT NULL DEFAULT '',
    to_number    TEXT NOT NULL DEFAULT '',
    caller_name  TEXT NOT NULL DEFAULT '',
    started_at   BIGINT NOT NULL,
    answered_at  BIGINT,
    ended_at     BIGINT,
    outcome      TEXT NOT NULL,
    hangup_by    TEXT NOT NULL DEFAULT '',
    decision     TEXT NOT NULL DEFAULT '',
    reasons      TEXT NOT NULL DEFAULT '[]',
    emergency    BOOLEAN NOT NULL DEFAULT FALSE,
    verdict      TEXT NOT NULL DEFAULT '',
    tactics      TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX calls_line_started ON calls (line_id, started_at);
CREATE INDEX calls_started ON calls (started_at);
CREATE INDEX calls_outcome ON calls (outcome);
