-- The carer's dashboard: accounts, the lines each carer looks after, login
-- sessions, the audit log of changes, and per-line settings changed there.
CREATE TABLE users (
    username       TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'carer', 'analyst')),
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

-- One row, written by the first-run setup, so two racing setups cannot
-- both create an administrator.
CREATE TABLE first_run (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    username    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE user_lines (
    username  TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    line_id   TEXT NOT NULL,
    PRIMARY KEY (username, line_id)
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    username    TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id       {{autoid}},
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,
    line_id  TEXT NOT NULL DEFAULT '',
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_line ON audit_log (line_id, at);

CREATE TABLE line_settings (
    line_id           TEXT PRIMARY KEY,
    unknown_callers   TEXT NOT NULL DEFAULT '',
    withheld_callers  TEXT NOT NULL DEFAULT '',
    quiet_hours       TEXT NOT NULL DEFAULT '',
    on_scam           TEXT NOT NULL DEFAULT '',
    updated_by        TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL
);
