-- Numbers a line's person or carer trusted or blocked (for example with key
-- 3 or 9 after a challenge), kept across restarts.
CREATE TABLE line_numbers (
    line_id     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('trusted', 'blocked')),
    number      TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    added_by    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (line_id, kind, number)
);
