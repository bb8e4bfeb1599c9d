package testpeer

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Capture records, with tcpdump on the loopback interface, the UDP packets
// sent to one port: the way to see what RTP a SIPp peer received (SIPp 3.6
// cannot record media itself). It needs tcpdump and root (or CAP_NET_RAW).
type Capture struct {
	port   int
	path   string
	proc   *process
	stderr *syncBuffer
	once   sync.Once
	pkts   []RTPPacket
	err    error
}

// CaptureRTP starts capturing UDP packets to 127.0.0.1:port and returns once
// tcpdump is listening. Stop returns the packets that parse as RTP. The
// capture is stopped when ctx ends or the test is cleaned up.
func CaptureRTP(ctx context.Context, t testing.TB, port int) (*Capture, error) {
	t.Helper()
	dir := t.TempDir()
	c := &Capture{port: port, path: filepath.Join(dir, "capture.pcap"), stderr: newSyncBuffer(16 << 10)}
	ready := &lineWatcher{want: "listening on", ch: make(chan struct{})}
	filter := "udp and dst host 127.0.0.1 and dst port " + strconv.Itoa(port)
	// -Z root: Debian's tcpdump otherwise drops to user tcpdump, which cannot
	// write into the test's temp dir. -U and --immediate-mode: every packet
	// reaches the file at once.
	var err error
	c.proc, err = startProcess(ctx, t, dir, nil, multiWriter{c.stderr, ready}, "tcpdump",
		"-i", "lo", "-n", "-U", "--immediate-mode", "-Z", "root", "-s", "2048", "-w", c.path, filter)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _, _ = c.Stop() })
	select {
	case <-ready.ch:
		return c, nil
	case <-c.proc.done:
		return nil, fmt.Errorf("testpeer: tcpdump exited before capturing (root needed?): %s", c.stderr.String())
	case <-ctx.Done():
		return nil, fmt.Errorf("testpeer: waiting for tcpdump: %w", ctx.Err())
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("testpeer: tcpdump did not start listening: %s", c.stderr.String())
	}
}

// Port returns the captured destination port.
func (c *Capture) Port() int { return c.port }

// Stop ends the capture and returns the RTP packets captured (At counted from
// the first packet). It is safe to call more than once.
func (c *Capture) Stop() ([]RTPPacket, error) {
	c.once.Do(func() {
		// Let packets already sent on loopback reach tcpdump before it stops.
		time.Sleep(50 * time.Millisecond)
		c.proc.stop(syscall.SIGINT, 3*time.Second)
		recs, err := readPCAP(c.path)
		if err != nil {
			c.err = err
			return
		}
		var start time.Time
		for _, r := range recs {
			p, err := ParseRTP(r.Payload)
			if err != nil {
				continue
			}
			if start.IsZero() {
				start = r.Time
			}
			p.At = r.Time.Sub(start)
			p.Src, p.Dst = r.Src, r.Dst
			c.pkts = append(c.pkts, p)
		}
	})
	return c.pkts, c.err
}

// lineWatcher closes ch when want appears in what is written to it.
type lineWatcher struct {
	mu   sync.Mutex
	seen strings.Builder
	want string
	ch   chan struct{}
	done bool
}

// Write implements io.Writer.
func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.seen.Write(p)
		if strings.Contains(w.seen.String(), w.want) {
			w.done = true
			close(w.ch)
		}
	}
	return len(p), nil
}

// multiWriter writes to every writer, ignoring their errors.
type multiWriter []interface{ Write([]byte) (int, error) }

// Write implements io.Writer.
func (m multiWriter) Write(p []byte) (int, error) {
	for _, w := range m {
		_, _ = w.Write(p)
	}
	return len(p), nil
}
