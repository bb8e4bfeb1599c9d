-- Index only the calls still open. Every call's answer and end moved its
-- entry in calls_outcome, which held every call, so each commit of the
-- call log dirtied pages of that index too. Calls are looked up by outcome
-- only to close those a killed process left open (RecoverInterruptedCalls),
-- and the dashboard filters one line's calls by outcome along
-- calls_line_started. calls_open holds a few hundred entries even on a
-- busy gateway.
DROP INDEX calls_outcome;
CREATE INDEX calls_open ON calls (outcome) WHERE outcome IN ('in-progress', 'answered')
;
