package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqldb"
	"github.com/clearline/clearline/internal/store/storetest"
)

func open(t *testing.T, path string) *sqldb.DB {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "clearline.db"))
	})
}

func TestReopen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "clearline.db")
	storetest.RunReopen(t, func(t *testing.T) store.Store { return open(t, p) })
	// Reopening applied no migration twice.
	s := open(t, p)
	var rows, versions int
	if err := s.SQL().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != versions {
		t.Fatalf("schema_migrations has %d rows for %d versions", rows, versions)
	}
}

func TestPragmas(t *testing.T) {
	p := filepath.Join(t.TempDir(), "clearline.db")
	s := open(t, p)
	tests := []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL: safe with WAL
	}
	for _, tt := range tests {
		var got string
		if err := s.SQL().QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
		}
	}
	if err := s.PutLine(context.Background(), store.Line{ID: "mum", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + "-wal"); err != nil {
		t.Errorf("no write-ahead log next to the database: %v", err)
	}
}

// The database is exactly the file named, whatever characters the path
// holds (SQLite would otherwise read '?', '#' and '%' in a "file:" URI).
func TestPaths(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	for _, dir := range []string{"plain", "with space", "hash#tag", "query?x=1&y=2", "percent%41%2F", "ünï ☎", "a//b"} {
		p := filepath.Join(base, dir, "c.db")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		s := open(t, p)
		if err := s.PutLine(ctx, store.Line{ID: dir, CreatedAt: time.Now()}); err != nil {
			t.Fatalf("%q: %v", dir, err)
		}
		s.Close()
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%q: database not at its path: %v", dir, err)
			continue
		}
		if l, err := open(t, p).GetLine(ctx, dir); err != nil || l.ID != dir {
			t.Errorf("%q: reopened: %+v, %v", dir, l, err)
		}
	}

	t.Run("relative", func(t *testing.T) {
		t.Chdir(t.TempDir())
		if err := os.Mkdir("data #1", 0o755); err != nil {
			t.Fatal(err)
		}
		open(t, "data #1/c.db").Close()
		if _, err := os.Stat("data #1/c.db"); err != nil {
			t.Fatalf("relative path: %v", err)
		}
	})

	for _, bad := range []string{"", filepath.Join(base, "no", "such", "dir", "c.db")} {
		if s, err := Open(ctx, bad); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

func TestMemory(t *testing.T) {
	s := open(t, ":memory:")
	ctx := context.Background()
	if err := s.PutLine(ctx, store.Line{ID: "mum", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// One connection, so every call sees the same in-memory database.
	for i := 0; i < 3; i++ {
		if _, err := s.GetLine(ctx, "mum"); err != nil {
			t.Fatal(err)
		}
	}
}

// Two stores on one file (say, clearline and a report tool) see each
// other's writes and do not fail with "database is locked".
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "clearline.db")
	a, b := open(t, p), open(t, p)
	now := time.Now()
	if err := a.StartCall(ctx, store.Call{ID: "c1", Direction: "inbound", StartedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := b.AnswerCall(ctx, "c1", now); err != nil {
		t.Fatal(err)
	}
	if c, err := a.GetCall(ctx, "c1"); err != nil || c.Outcome != "answered" {
		t.Fatalf("a sees %+v, %v", c, err)
	}
}

// Several processes starting together on a new database file all come up
// (each store is its own connection, as a separate process would be), and
// their writes wait for each other instead of failing with SQLITE_BUSY.
func TestConcurrentFirstOpen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "clearline.db")
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			s, err := Open(ctx, p)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			for j := 0; j < 5 && err == nil; j++ {
				// AddListEntry reads before it writes: the pattern that
				// fails at once, busy_timeout or not, in a deferred
				// transaction when another connection wrote in between.
				err = s.AddListEntry(ctx, store.ListEntry{LineID: "mum", Kind: "trusted", Number: fmt.Sprint(j), CreatedAt: time.Now()})
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
		}
	}
}

const killEnv = "CLEARLINE_KILL_TEST_DB"

var killStart = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// A call in progress when the process is killed leaves a consistent log:
// the helper process commits a call's start and answer and is SIGKILLed
// mid-call; the row it leaves is whole, and the next start marks it
// interrupted.
func TestKilledProcessLeavesConsistentLog(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "clearline.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+p)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe() // the helper exits if we die and this closes
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
				io.Copy(io.Discard, out)
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatalf("helper exited before it was ready: %s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper not ready after 30s: %s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper was not killed by SIGKILL: %v", err)
	}
	if fi, err := os.Stat(p + "-wal"); err == nil {
		t.Logf("write-ahead log left by the killed process: %d bytes", fi.Size())
	}

	s := open(t, p)
	var check string
	if err := s.SQL().QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	answered := killStart.Add(2 * time.Second)
	killed, err := s.GetCall(ctx, "killed")
	if err != nil {
		t.Fatal(err)
	}
	if killed.Outcome != "answered" || killed.AnsweredAt == nil || !killed.AnsweredAt.Equal(answered) ||
		killed.EndedAt != nil || killed.Decision != "allow" || !reflect.DeepEqual(killed.Reasons, []string{"trusted contact"}) {
		t.Fatalf("answered call after the kill = %+v", killed)
	}
	if c, err := s.GetCall(ctx, "ringing"); err != nil || c.Outcome != "in-progress" || c.AnsweredAt != nil || c.EndedAt != nil {
		t.Fatalf("ringing call after the kill = %+v, %v", c, err)
	}
	done, err := s.GetCall(ctx, "done")
	if err != nil || done.Outcome != "completed" || done.Duration() != time.Minute {
		t.Fatalf("finished call after the kill = %+v, %v", done, err)
	}

	recovered := killStart.Add(time.Hour)
	n, err := s.RecoverInterruptedCalls(ctx, recovered)
	if err != nil || n != 2 {
		t.Fatalf("RecoverInterruptedCalls = %d, %v; want 2", n, err)
	}
	for _, id := range []string{"killed", "ringing"} {
		c, err := s.GetCall(ctx, id)
		if err != nil || c.Outcome != "interrupted" || c.EndedAt == nil || !c.EndedAt.Equal(recovered) || c.HangupBy != "clearline" {
			t.Errorf("%s after recovery = %+v, %v", id, c, err)
		}
	}
	if c, _ := s.GetCall(ctx, "killed"); c.Duration() != recovered.Sub(answered) {
		t.Errorf("killed call duration %v", c.Duration())
	}
	if c, _ := s.GetCall(ctx, "done"); !reflect.DeepEqual(c, done) {
		t.Errorf("recovery touched the finished call: %+v", c)
	}
}

// TestKillHelper is the process TestKilledProcessLeavesConsistentLog kills;
// run normally it does nothing.
func TestKillHelper(t *testing.T) {
	p := os.Getenv(killEnv)
	if p == "" {
		return
	}
	ctx := context.Background()
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	c := store.Call{ID: "done", LineID: "mum", Direction: "inbound", From: "+442071838750", StartedAt: killStart}
	steps := []func() error{
		func() error { return s.StartCall(ctx, c) },
		func() error { return s.AnswerCall(ctx, "done", killStart) },
		func() error { return s.EndCall(ctx, "done", killStart.Add(time.Minute), "completed", "caller", "") },
		func() error {
			c.ID, c.StartedAt = "ringing", killStart.Add(time.Second)
			return s.StartCall(ctx, c)
		},
		func() error {
			c.ID, c.StartedAt, c.Decision, c.Reasons = "killed", killStart.Add(time.Second), "allow", []string{"trusted contact"}
			return s.StartCall(ctx, c)
		},
		func() error { return s.AnswerCall(ctx, "killed", killStart.Add(2*time.Second)) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	os.Stdout.WriteString("ready\n")
	io.Copy(io.Discard, os.Stdin) // until killed (or the parent goes away)
	t.Fatal("helper outlived its parent")
}

// CallLogStats counts the call log's commits and the writes they carried:
// one each for writes made one after another, fewer commits than writes
// for writes made at once.
func TestCallLogStats(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "clearline.db"))
	if st := s.CallLogStats(); st != (sqldb.CallLogStats{}) {
		t.Fatalf("new store: %+v", st)
	}
	c := store.Call{ID: "c1", Direction: "inbound", StartedAt: killStart}
	if err := s.StartCall(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.AnswerCall(ctx, "c1", killStart); err != nil {
		t.Fatal(err)
	}
	if st := s.CallLogStats(); st != (sqldb.CallLogStats{Commits: 2, Writes: 2}) {
		t.Fatalf("after two writes one after another: %+v", st)
	}

	const n = 40
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			c := store.Call{ID: fmt.Sprint("at-once-", i), Direction: "inbound", StartedAt: killStart}
			errs[i] = s.StartCall(ctx, c)
		}()
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	st := s.CallLogStats()
	if st.Writes != 2+n || st.Commits-2 >= n {
		t.Fatalf("after %d writes at once: %+v, want %d writes in fewer commits", n, st, 2+n)
	}
	t.Logf("%d writes at once: %d commits", n, st.Commits-2)
}
