package sqlite

import (
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqldb"
)

// callsAtOnce is how many calls are in progress together in the call-log
// benchmarks: a busy gateway has hundreds.
const callsAtOnce = 256

// benchCall writes one whole call as the gateway does: the first row with
// the screening decision, the answer and the end, each committed before it
// returns. Ids are time-ordered UUIDv7 strings, as the gateway's are.
func benchCall(ctx context.Context, s *sqldb.DB, at time.Time, pause func()) error {
	u, err := uuid.NewV7()
	if err != nil {
		return err
	}
	id := u.String()
	err = s.StartCall(ctx, store.Call{ID: id, LineID: "mum", Direction: "inbound", From: "+442071838750", To: "+441632960001",
		StartedAt: at, Decision: "allow", Reasons: []string{"trusted contact of this line"}})
	if err != nil {
		return err
	}
	pause()
	if err := s.AnswerCall(ctx, id, at.Add(time.Second)); err != nil {
		return err
	}
	pause()
	return s.EndCall(ctx, id, at.Add(time.Minute), "completed", "caller", "")
}

func reportBatches(b *testing.B, s *sqldb.DB, before sqldb.CallLogStats) {
	st := s.CallLogStats()
	if commits := st.Commits - before.Commits; commits > 0 {
		b.ReportMetric(float64(st.Writes-before.Writes)/float64(commits), "writes/commit")
		b.ReportMetric(float64(commits)/float64(b.N), "commits/call")
	}
}

// BenchmarkCallLog is what the call log sustains when the store is all
// there is to do: callsAtOnce calls at once, each writing its start (with
// the decision), answer and end back to back. One op is one call. Run with
// -cpu 1 to see what one core sustains:
//
//	go test -run '^$' -bench 'CallLog$' -cpu 1 ./internal/store/sqlite
func BenchmarkCallLog(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "clearline.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	before := s.CallLogStats()
	b.SetParallelism((callsAtOnce + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := benchCall(ctx, s, start, func() {}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	reportBatches(b, s, before)
}

// BenchmarkCallLogPaced offers calls at a steady rate, as SIP traffic
// arrives, rather than as fast as the store takes them: a new call every
// 1/callRate, each ringing and talking briefly, so a few hundred are in
// progress. Writes then come a few at a time, not hundreds at once as in
// BenchmarkCallLog, and each commit carries fewer. It reports the CPU
// time the call log takes per call, the batches, and how long a StartCall
// takes (on the gateway, before the caller's 100 Trying is sent). Run with
// -cpu 1, as the gateway runs on one core (busy-core needs it):
//
//	go test -run '^$' -bench CallLogPaced -benchtime 6000x -cpu 1 ./internal/store/sqlite
//
// idle-core: nothing else runs; the CPU time is the process's (the
// benchmark's goroutines and timers included).
//
// busy-core: the core is otherwise kept busy in short slices of work, as
// the gateway's is by SIP and media, so timers fire on time and the
// committer is woken as soon as a write comes. The CPU time is the
// process's less what the slices of work took.
func BenchmarkCallLogPaced(b *testing.B) {
	b.Run("idle-core", func(b *testing.B) { benchPaced(b, false) })
	b.Run("busy-core", func(b *testing.B) { benchPaced(b, true) })
}

func benchPaced(b *testing.B, busy bool) {
	const (
		callRate = 2000 // calls a second
		ring     = 40 * time.Millisecond
		talk     = 80 * time.Millisecond
	)
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "clearline.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var w *worker
	if busy {
		w = startWorker(b)
		defer w.stop()
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	before := s.CallLogStats()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		started = make([]time.Duration, 0, b.N)
	)
	cpu0 := cpuTime(b)
	var slices0 int64
	if w != nil {
		slices0 = w.slices.Load()
	}
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for i := range b.N {
		if d := time.Until(t0.Add(time.Duration(i) * time.Second / callRate)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pauses := []time.Duration{ring, talk}
			t := time.Now()
			first := true
			err := benchCall(ctx, s, at, func() {
				if first {
					first = false
					mu.Lock()
					started = append(started, time.Since(t))
					mu.Unlock()
				}
				time.Sleep(pauses[0])
				pauses = pauses[1:]
			})
			if err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu := cpuTime(b) - cpu0
	if w != nil {
		// The rest of the process's CPU time went to the work.
		cpu -= time.Duration(w.slices.Load()-slices0) * w.cost
	}
	b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/call")
	reportBatches(b, s, before)
	slices.Sort(started)
	if n := len(started); n > 0 {
		b.ReportMetric(float64(started[n/2])/float64(time.Microsecond), "start-p50-µs")
		b.ReportMetric(float64(started[n*99/100])/float64(time.Microsecond), "start-p99-µs")
	}
}

// worker keeps the core busy with short slices of work (some 20 µs
// each), yielding between them, and counts the slices done.
type worker struct {
	cost   time.Duration // CPU time a slice takes
	slices atomic.Int64
	done   chan struct{}
	sink   uint64
}

// startWorker starts the work and measures the CPU time a slice takes
// when it has the process to itself.
func startWorker(b *testing.B) *worker {
	w := &worker{done: make(chan struct{})}
	go func() {
		x := uint64(1)
		for {
			select {
			case <-w.done:
				w.sink = x
				return
			default:
			}
			for range 15000 { // a fixed amount of work, whatever else runs
				x = x*6364136223846793005 + 1442695040888963407
			}
			w.slices.Add(1)
			runtime.Gosched()
		}
	}()
	n0, cpu0 := w.slices.Load(), cpuTime(b)
	time.Sleep(300 * time.Millisecond)
	w.cost = (cpuTime(b) - cpu0) / time.Duration(w.slices.Load()-n0)
	return w
}

func (w *worker) stop() { close(w.done) }

// cpuTime is the CPU time, user and system, the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
