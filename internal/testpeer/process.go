package testpeer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// process is one child process (sipp, baresip, tcpdump) owned by a test. It
// runs in its own process group, dies with the test binary (Pdeathsig) and is
// killed by t.Cleanup if still running.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // result of cmd.Wait, valid after done
}

// startProcess starts name with args in dir, writing stdout and stderr to the
// given writers (nil discards). The process is killed when ctx ends or the test
// is cleaned up.
func startProcess(ctx context.Context, t testing.TB, dir string, stdout, stderr io.Writer, name string, args ...string) (*process, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.Env = append(os.Environ(), "TERM=dumb")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testpeer: start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			p.kill()
		case <-p.done:
		}
	}()
	t.Cleanup(p.kill)
	return p, nil
}

// pid returns the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the process to exit or ctx to end; on ctx end the process is
// killed and ctx's error returned.
func (p *process) wait(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		p.kill()
		return fmt.Errorf("testpeer: waiting for %s: %w", p.name, ctx.Err())
	}
}

// signal sends sig to the process (not its group) if it is still running.
func (p *process) signal(sig syscall.Signal) {
	if !p.exited() {
		_ = p.cmd.Process.Signal(sig)
	}
}

// stop asks the process to end with sig, waits up to grace, then kills it.
func (p *process) stop(sig syscall.Signal, grace time.Duration) {
	p.signal(sig)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
}

// kill kills the whole process group and waits for the process to be reaped.
func (p *process) kill() {
	if !p.exited() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// exitCode returns the exit status (-1 when killed by a signal), valid after exit.
func (p *process) exitCode() int {
	if p.cmd.ProcessState == nil {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitListening polls /proc/net/{udp,tcp} until a socket bound to port exists
// (for tcp: in LISTEN state), the process exits, or ctx ends. Polling the
// kernel's table avoids probing the port, which could steal it from the peer.
func waitListening(ctx context.Context, p *process, network string, port int) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := portBound(network, port)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("testpeer: %s exited (%v) before listening on %s port %d", p.name, p.err, network, port)
		case <-ctx.Done():
			return fmt.Errorf("testpeer: waiting for %s to listen on %s port %d: %w", p.name, network, port, ctx.Err())
		case <-tick.C:
		}
	}
}

// portBound reports whether /proc/net/<network> has an IPv4 socket on port
// (tcp: listening).
func portBound(network string, port int) (bool, error) {
	f, err := os.Open("/proc/net/" + network)
	if err != nil {
		return false, fmt.Errorf("testpeer: read socket table: %w", err)
	}
	defer f.Close()
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasSuffix(fields[1], want) {
			continue
		}
		if network == "tcp" && fields[3] != "0A" {
			continue
		}
		return true, nil
	}
	return false, sc.Err()
}

// syncBuffer is a goroutine-safe bounded log buffer that keeps the last max bytes.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func newSyncBuffer(max int) *syncBuffer { return &syncBuffer{max: max} }

// Write implements io.Writer.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

// String returns the buffered text.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// tail returns at most n bytes from the end of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// millis formats d as whole milliseconds for command lines and scenarios.
func millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// errProcessExited is returned when a peer ended while it was being talked to.
var errProcessExited = errors.New("process exited")
