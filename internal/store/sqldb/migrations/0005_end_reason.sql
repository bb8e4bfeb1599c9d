-- Why clearline ended a call, when it did ("scam warning given", "line
-- cleared for a new call"), for the carer reading the call log.
ALTER TABLE calls ADD COLUMN end_reason TEXT NOT NULL DEFAULT ''
;
