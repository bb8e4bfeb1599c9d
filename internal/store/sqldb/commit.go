package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// The call log's group commit.
//
// The gateway records a call's start, screening decision, answer and end as
// they happen, from one goroutine per call, and each write is in the
// database when it returns, so a killed process leaves a consistent log. One
// transaction per write spends most of its time parsing SQL and committing,
// and at a few hundred calls a second every call queues behind the single
// SQLite writer. So these writes go through one committer goroutine: a write
// waits in a queue; the committer takes everything queued, runs it in one
// transaction with prepared statements, commits once, and tells each writer
// its own result. Under load it commits no more often than commitInterval,
// so each commit carries more. "Returned" still means "committed"; only the
// commit is shared.

// Call-log statements, prepared once.
const (
	stmtStartCall = iota
	stmtAnswerCall
	stmtEndCall
	stmtCallDecision
	stmtCallVerdict
	nCallStmts
)

var callStmtSQL = [nCallStmts]string{
	stmtStartCall: `INSERT INTO calls
		(id, line_id, direction, from_number, to_number, caller_name, started_at, outcome, emergency, decision, reasons)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'in-progress', ?, ?, ?)`,
	// A late answer for a call already ended records the time but never
	// reopens it.
	stmtAnswerCall: `UPDATE calls SET answered_at = ?,
		outcome = CASE WHEN outcome = 'in-progress' THEN 'answered' ELSE outcome END WHERE id = ?`,
	stmtEndCall:      `UPDATE calls SET ended_at = ?, outcome = ?, hangup_by = ?, end_reason = ? WHERE id = ?`,
	stmtCallDecision: `UPDATE calls SET decision = ?, reasons = ? WHERE id = ?`,
	stmtCallVerdict:  `UPDATE calls SET verdict = ?, tactics = ? WHERE id = ?`,
}

// maxBatch bounds one transaction, so a burst cannot hold the writer long.
const maxBatch = 256

// commitInterval is the least time between the starts of two commits,
// unless fullBatch writes are waiting.
//
// A commit costs about the same whatever it carries: SQLite takes and
// drops its WAL locks (six fcntl calls) and writes each page it changed
// (two pwrite calls), tens of µs of CPU on a VM where a system call costs
// several µs, against about 10 µs for one write's statement. Calls arrive
// one by one, so without a floor a commit carried 1.5 to 5 writes in
// BenchmarkCallLogPaced (about 7 on the gateway at 1200 calls a second).
// A write arriving less than commitInterval after the last commit began
// waits for the rest of it, and the next commit takes all that came
// meanwhile: at most 500 commits a second, 12 to 15 writes each at 2000
// calls a second. A write after a quiet spell commits at once.
//
// The wait adds at most commitInterval (and, on an idle core, up to 1 ms of
// timer granularity) to a write, such as the first row that comes before
// the caller's 100 Trying: far below SIP's 500 ms retransmission timer.
// It ends early once fullBatch writes are queued, when waiting longer
// would save little and would idle writers that wait on each other's
// commits. Fewer than fullBatch goroutines writing back to back get a
// commit per commitInterval; the gateway's calls each wait for SIP between
// their writes.
const (
	commitInterval = 2 * time.Millisecond
	fullBatch      = 32
)

// callWrite is one queued write and where its result goes.
type callWrite struct {
	op   string // names the write in errors: "end call"
	stmt int
	args []any
	// id, when set, is the call an UPDATE must find (none: not found).
	id   string
	done chan error // buffered: the committer never waits for a writer
}

// committer runs the queued call-log writes.
type committer struct {
	s       *DB
	stmts   [nCallStmts]*sql.Stmt
	queue   chan *callWrite
	full    chan struct{} // a writer queued the fullBatch-th write
	quit    chan struct{} // closed by stop
	stopped chan struct{} // closed when run returns

	commits, writes atomic.Int64 // for CallLogStats
}

// CallLogStats counts the call log's shared transactions.
type CallLogStats struct {
	Commits int64 // transactions committed
	Writes  int64 // writes they carried
}

// CallLogStats returns how many transactions the call log has committed
// and how many writes they carried (Writes/Commits is the mean batch).
func (s *DB) CallLogStats() CallLogStats {
	return CallLogStats{Commits: s.calls.commits.Load(), Writes: s.calls.writes.Load()}
}

func newCommitter(ctx context.Context, s *DB) (*committer, error) {
	c := &committer{s: s, queue: make(chan *callWrite, maxBatch), full: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{})}
	for i, q := range callStmtSQL {
		st, err := s.db.PrepareContext(ctx, s.q(q))
		if err != nil {
			c.closeStmts()
			return nil, fmt.Errorf("prepare call log statement %d: %w", i, err)
		}
		c.stmts[i] = st
	}
	go c.run()
	return c, nil
}

var errClosed = errors.New("store is closed")

// write queues one write and waits until it is committed or has failed.
// A caller whose ctx ends stops waiting, but a write already queued is
// still made (it may be the end of a call that must not stay open).
func (c *committer) write(ctx context.Context, op string, stmt int, id string, args ...any) error {
	if err := ctx.Err(); err != nil { // a write given up before it began changes nothing
		return fmt.Errorf("%s: %w", op, err)
	}
	w := &callWrite{op: op, stmt: stmt, args: args, id: id, done: make(chan error, 1)}
	select {
	case c.queue <- w:
		if len(c.queue) >= fullBatch {
			select {
			case c.full <- struct{}{}:
			default: // already told
			}
		}
	case <-c.quit:
		return fmt.Errorf("%s: %w", op, errClosed)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	select {
	case err := <-w.done:
		return err
	case <-c.stopped:
		select {
		case err := <-w.done:
			return err
		default:
			return fmt.Errorf("%s: %w", op, errClosed)
		}
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
}

// run commits what is queued, a batch at a time, until stop; then it
// commits what is still queued and returns.
func (c *committer) run() {
	defer close(c.stopped)
	batch := make([]*callWrite, 0, maxBatch)
	var last time.Time // when the last commit began
	for {
		select {
		case w := <-c.queue:
			batch = append(batch[:0], w)
		case <-c.quit:
			for {
				select {
				case w := <-c.queue:
					c.commit([]*callWrite{w})
				default:
					return
				}
			}
		}
		c.gather(last)
		// Let the other writers that are ready to run queue their
		// writes first: without this the committer, woken by the first
		// write, would commit it alone while the rest wait to be scheduled.
		runtime.Gosched()
	fill:
		for len(batch) < maxBatch {
			select {
			case w := <-c.queue:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		last = time.Now()
		c.commit(batch)
	}
}

// gather waits, when the last commit began less than commitInterval ago,
// for the rest of the interval or until fullBatch writes are queued.
func (c *committer) gather(last time.Time) {
	select {
	case <-c.full: // left from while the last batch was committed
	default:
	}
	wait := commitInterval - time.Since(last)
	if wait <= 0 || len(c.queue) >= fullBatch {
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-c.full:
	case <-c.quit:
	}
}

// commit runs batch in one transaction. If the transaction fails as a
// whole, each write runs again in a transaction of its own, so one bad
// write (a duplicate call id) fails alone and the others are made.
func (c *committer) commit(batch []*callWrite) {
	// The writes were accepted; a writer that stopped waiting does not
	// undo the others.
	ctx := context.Background()
	results := make([]error, len(batch))
	op := "call log"
	if len(batch) == 1 {
		op = batch[0].op
	}
	err := c.s.tx(ctx, op, func(tx *sql.Tx) error {
		var txStmts [nCallStmts]*sql.Stmt
		for i, w := range batch {
			if txStmts[w.stmt] == nil {
				txStmts[w.stmt] = tx.StmtContext(ctx, c.stmts[w.stmt])
			}
			res, err := txStmts[w.stmt].ExecContext(ctx, w.args...)
			if err != nil {
				return err
			}
			if w.id != "" {
				if n, _ := res.RowsAffected(); n == 0 {
					results[i] = store.Errorf(store.KindNotFound, w.op, "no call %q", w.id)
				}
			}
		}
		return nil
	})
	switch {
	case err == nil:
		c.commits.Add(1)
		c.writes.Add(int64(len(batch)))
		for i, w := range batch {
			w.done <- results[i]
		}
	case len(batch) == 1:
		batch[0].done <- err
	default:
		for _, w := range batch {
			c.commit([]*callWrite{w})
		}
	}
}

// stop commits what is queued, ends the committer and closes the
// statements.
func (c *committer) stop() {
	close(c.quit)
	<-c.stopped
	c.closeStmts()
}

func (c *committer) closeStmts() {
	for _, st := range c.stmts {
		if st != nil {
			st.Close()
		}
	}
}
