// Package sipload measures the highest call rate clearline sustains (fewer
// than 0.1% failed calls and no backlog, see step.sustained), side by side
// with Kamailio as a plain
// stateful proxy between the same two SIPp endpoints, and clearline's memory
// per concurrent call. It is a measurement, not a unit test: it runs only
// with CLEARLINE_BENCH=1 (see run.sh).
package sipload

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/clearline/clearline/internal/testpeer"
)

// step is one load level's outcome.
type step struct {
	rate       float64
	ok, failed int
	achieved   float64
	meanSetup  time.Duration
	elapsed    time.Duration // from the first call to the end of the last
	rssKB      int
	cpuPerCall time.Duration // the target's CPU time (all its processes) over the calls
	// clearline only, per call, from Go's runtime metrics: bytes and
	// objects allocated, goroutines started; and collections in the step.
	allocBytes, allocObjects, goroutines float64
	gcCycles                             uint64
}

func TestCallRate(t *testing.T) {
	if os.Getenv("CLEARLINE_BENCH") != "1" {
		t.Skip("measurement: run bench/sipload/run.sh (CLEARLINE_BENCH=1)")
	}
	testpeer.Require(t, "sipp", "kamailio", "taskset")
	rates := parseRates(os.Getenv("RATES"), []float64{400, 700, 1000, 1200, 1300, 1400, 1500, 1600, 1800, 2000, 2200, 2400, 2700, 3000, 3600, 4200, 4800, 5400, 6000, 6600, 7200})
	// A step runs well past the SIP transaction linger (5 s, the same as
	// Kamailio's wait timer), so most of it is steady state: finished
	// calls' transactions are being dropped as fast as new ones are made.
	dur := envDuration("STEP", 20*time.Second)
	hold := envDuration("HOLD", time.Second)
	// CLEARLINE_BIN measures an already built clearline (e.g. an older
	// commit's, for a before/after comparison); by default the tree's.
	bin := os.Getenv("CLEARLINE_BIN")
	if bin == "" {
		bin = build(t, "clearline", "../../cmd/clearline")
	}

	// clearline runs twice: with Go's default collector, and with the same
	// 1 GB memory budget as Kamailio's shared memory. sipgo-b2bua is the
	// floor under it: the same SIP dialogs with nothing else. min-b2bua and
	// min-b2bua-media (TARGETS=... only) bound what any Go SIP layer could
	// reach: the bench's call with no SIP library, without and with
	// clearline's media anchoring.
	targets := []string{"kamailio", "clearline", "clearline-1g", "sipgo-b2bua"}
	if v := os.Getenv("TARGETS"); v != "" {
		targets = strings.Split(v, ",")
	}
	// A step near a target's limit passes in one run and backs up in the
	// next (this VM's timing varies), so ROUNDS=n climbs every target's
	// ladder n times, in turn, and reports the median highest rate.
	rounds := 1
	if n, err := strconv.Atoi(os.Getenv("ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	highest := map[string][]float64{}
	for round := 1; round <= rounds; round++ {
		for _, target := range targets {
			b := 0.0
			for _, r := range rates {
				s := runStep(t, target, bin, r, dur, hold)
				t.Logf("%-9s rate %6.0f/s: %d ok, %d failed (%.3f%%), took %.1fs for %v of calls, mean INVITE->200 %v, CPU %.0f µs per call, RSS %d kB, sustained %v%s",
					target, r, s.ok, s.failed, 100*float64(s.failed)/float64(max(1, s.ok+s.failed)), s.elapsed.Seconds(), dur, s.meanSetup,
					float64(s.cpuPerCall)/float64(time.Microsecond), s.rssKB, s.sustained(dur, hold), s.runtimeSummary())
				if !s.sustained(dur, hold) {
					break
				}
				b = r
			}
			highest[target] = append(highest[target], b)
			t.Logf("round %d: %s sustained %.0f/s", round, target, b)
		}
	}
	k := median(highest["kamailio"])
	for _, c := range []string{"clearline", "clearline-1g", "sipgo-b2bua", "min-b2bua", "min-b2bua-media"} {
		if r, ok := highest[c]; ok {
			t.Logf("RESULT highest rate sustained (<0.1%% failed, no backlog; median of %d rounds): kamailio %.0f/s %v, %s %.0f/s %v, ratio %.2f",
				rounds, k, highest["kamailio"], c, median(r), r, median(r)/max(k, 1))
		}
	}
	if os.Getenv("TARGETS") == "" || strings.Contains(os.Getenv("TARGETS"), "clearline") {
		memoryPerCall(t, bin, hold)
	}
}

// sippArgs: both SIPp ends get a 4 MB socket buffer (their default is
// 64 kB), so what limits a step is the target, not drops at SIPp.
var sippArgs = []string{"-max_socket", "60000", "-buff_size", strconv.Itoa(sipSocketBuffer)}

// sipSocketBuffer is the SIP socket buffer every party gets: what
// clearline asks for (gateway.sipSocketBuffer), SIPp's -buff_size,
// Kamailio's -b and sipgob2bua's -buffer.
const sipSocketBuffer = 4 << 20

// sustained: fewer than 0.1% of the calls failed, and the target kept up:
// the caller finished within backlogSlack of the last call's hold, so calls
// were not merely queueing up to be set up seconds late (SIPp counts those
// as successful until its 30 s timeout).
func (s step) sustained(dur, hold time.Duration) bool {
	if s.ok == 0 || s.failed*1000 > s.ok+s.failed || s.elapsed == 0 {
		return false
	}
	return s.elapsed <= dur+hold+backlogSlack
}

const backlogSlack = time.Second

// runStep starts a fresh answering SIPp, the target on its own core, and a
// SIPp caller at rate calls/s for dur, and returns the caller's counts.
func runStep(t *testing.T, target, bin string, rate float64, dur, hold time.Duration) step {
	ctx, cancel := context.WithTimeout(context.Background(), dur+hold+2*time.Minute)
	defer cancel()
	calls := int(rate * dur.Seconds())
	uas, err := testpeer.StartSipp(ctx, t, testpeer.SippOptions{
		Scenario: "uas_answer.xml", Calls: calls, NoMessageTrace: true,
		Timeout: dur + hold + 60*time.Second, RecvTimeout: 30 * time.Second,
		Args: sippArgs,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer uas.Stop()
	addr, proc := startTarget(t, ctx, target, bin, uas.Port())
	defer stopTarget(proc)
	// Every target but Kamailio serves Go's profiles and runtime counters.
	isGo := target != "kamailio"
	if isGo && profileDir != "" {
		go profile(ctx, t, fmt.Sprintf("%s-%.0f", target, rate), dur)
	}
	var rt0 map[string]float64
	if isGo {
		rt0 = runtimeMetrics(ctx)
	}
	cpu0 := groupCPU(proc.Process.Pid)
	res, err := testpeer.SippLoad(ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: addr, Service: "+441632960001", CallerID: "+442071838750",
		Calls: calls, Rate: rate, Hold: hold, RecvTimeout: 30 * time.Second,
		Args: sippArgs,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := step{rate: rate, ok: res.Successful, failed: res.Failed + (calls - res.Successful - res.Failed)}
	s.cpuPerCall = (groupCPU(proc.Process.Pid) - cpu0) / time.Duration(max(1, calls))
	if isGo {
		rt := runtimeMetrics(ctx)
		per := func(k string) float64 { return (rt[k] - rt0[k]) / float64(max(1, calls)) }
		s.allocBytes, s.allocObjects = per("/gc/heap/allocs:bytes"), per("/gc/heap/allocs:objects")
		s.goroutines = per("/sched/goroutines-created:goroutines")
		s.gcCycles = uint64(rt["/gc/cycles/total:gc-cycles"] - rt0["/gc/cycles/total:gc-cycles"])
	}
	s.achieved, _ = res.StatFloat("CallRate(C)")
	s.meanSetup, _ = res.StatDuration("ResponseTime1(C)")
	if s.achieved > 0 { // SIPp's CallRate(C) is calls so far over time so far
		s.elapsed = time.Duration(float64(res.Successful+res.Failed) / s.achieved * float64(time.Second))
	}
	s.rssKB = rss(proc.Process.Pid)
	if s.failed > 0 {
		stopTarget(proc)
		b, _ := os.ReadFile(proc.Stderr.(*os.File).Name())
		t.Logf("%s at %.0f/s: %s\n%s\n%s log:\n%s", target, rate, res.Summary(), tailStr(res.Errors, 1200), target, summarizeLog(string(b)))
		if ur, err := uas.Stop(); err == nil && ur != nil {
			t.Logf("answerer at %.0f/s: %s\n%s", rate, ur.Summary(), tailStr(ur.Errors, 1200))
		}
	}
	return s
}

// startTarget runs a target (kamailio, clearline, or one of the Go bounds)
// pinned to CPU 0 and returns its SIP address.
func startTarget(t *testing.T, ctx context.Context, target, bin string, uasPort int) (string, *exec.Cmd) {
	port, err := testpeer.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var cmd *exec.Cmd
	switch target {
	case "kamailio":
		cfg := filepath.Join(dir, "kamailio.cfg")
		writeTemplate(t, "kamailio.cfg.tmpl", cfg, map[string]int{"Port": port, "UASPort": uasPort})
		// -b: the same 4 MB SIP socket buffer clearline asks for (Kamailio
		// stops its own probing at 256 kB, and bursts then overflow it).
		cmd = exec.CommandContext(ctx, "taskset", "-c", "0", "kamailio", "-f", cfg, "-DD", "-E", "-x", "tlsf", "-m", "1024", "-M", "64",
			"-b", strconv.Itoa(sipSocketBuffer), "-Y", dir, "-P", filepath.Join(dir, "k.pid"))
	case "sipgo-b2bua":
		// The SIP floor: sipgo's dialogs alone, no media, no call log
		// (sipgob2bua/main.go), with the same linger as clearline.
		cmd = goBound(t, ctx, "sipgob2bua", port, uasPort)
	case "min-b2bua":
		// A bound, not a target to meet: the least a Go B2BUA can do for
		// this call (minb2bua/main.go), without and with clearline's media
		// anchoring.
		cmd = goBound(t, ctx, "minb2bua", port, uasPort)
	case "min-b2bua-media":
		cmd = goBound(t, ctx, "minb2bua", port, uasPort, "-media")
	case "clearline", "clearline-1g":
		cfg := filepath.Join(dir, "clearline.toml")
		os.WriteFile(cfg, []byte(fmt.Sprintf(`
[sip]
listen = "127.0.0.1:%d"
transports = ["udp"]
[media]
ip = "127.0.0.1"
port_min = 10000
port_max = 31999
rtp_timeout = "120s"
[trunk]
address = "127.0.0.1:%d"
allowed_sources = ["127.0.0.1"]
[store]
dsn = %q
[log]
level = "warn"
%s
[[lines]]
id = "bench"
numbers = ["+441632960001"]
trusted = ["+442071838750"]
  [[lines.phones]]
  username = "bench-phone"
  password = "bench-password"
  contact = "sip:bench-phone@127.0.0.1:%d"
`, port, uasPort, filepath.Join(dir, "bench.db"), pprofSetting(), uasPort)), 0o600)
		cmd = exec.CommandContext(ctx, "taskset", "-c", "0", bin, "serve", "--config", cfg)
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
		if target == "clearline-1g" {
			// The memory Kamailio is given (-m 1024): Go's collector
			// runs only as the heap nears it (README, "Memory budget").
			cmd.Env = append(cmd.Env, "GOMEMLIMIT=1GiB", "GOGC=off")
		}
	}
	// The target's log goes to a file the step prints when calls failed.
	stderr, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	// Kamailio forks workers that inherit stderr: kill the whole group and
	// don't wait for the pipe forever.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", target, err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := waitSIP(ctx, addr); err != nil {
		stopTarget(cmd)
		b, _ := os.ReadFile(stderr.Name())
		t.Fatalf("%s never answered OPTIONS: %v\n%s", target, err, b)
	}
	return addr, cmd
}

// goBound runs one of the bench's Go bounds (the command in ./name) as
// clearline runs: on CPU 0 with one P, the same SIP socket buffer, and Go's
// profiler on pprofAddr (targetflag is the command line it takes).
func goBound(t *testing.T, ctx context.Context, name string, port, uasPort int, extra ...string) *exec.Cmd {
	args := append([]string{"-c", "0", build(t, name, "./"+name),
		"-listen", fmt.Sprintf("127.0.0.1:%d", port), "-next", fmt.Sprintf("127.0.0.1:%d", uasPort),
		"-buffer", strconv.Itoa(sipSocketBuffer), "-pprof", pprofAddr}, extra...)
	cmd := exec.CommandContext(ctx, "taskset", args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	return cmd
}

// memoryPerCall holds many calls up at once through clearline and reports
// the RSS growth per concurrent call.
func memoryPerCall(t *testing.T, bin string, _ time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const concurrent = 800
	uas, err := testpeer.StartSipp(ctx, t, testpeer.SippOptions{Scenario: "uas_answer.xml", Calls: concurrent, NoMessageTrace: true, Timeout: 2 * time.Minute, RecvTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer uas.Stop()
	addr, proc := startTarget(t, ctx, "clearline", bin, uas.Port())
	defer stopTarget(proc)
	idle := rss(proc.Process.Pid)
	done := make(chan *testpeer.SippResult, 1)
	go func() {
		res, _ := testpeer.SippLoad(ctx, t, testpeer.SippOptions{Scenario: "uac_call.xml", Remote: addr, Service: "+441632960001", CallerID: "+442071838750",
			Calls: concurrent, Rate: 400, Hold: 8 * time.Second, RecvTimeout: 30 * time.Second})
		done <- res
	}()
	time.Sleep(time.Duration(float64(concurrent)/400*float64(time.Second)) + 2*time.Second)
	peak := rss(proc.Process.Pid)
	res := <-done
	if res != nil && res.Failed > 0 {
		t.Logf("memory run failures: %s\n%s", res.Summary(), tailStr(res.Errors, 1500))
	}
	if res != nil {
		t.Logf("RESULT memory: idle RSS %d kB, with %d concurrent calls %d kB: %.1f kB per concurrent call (%d ok, %d failed)",
			idle, concurrent, peak, float64(peak-idle)/concurrent, res.Successful, res.Failed)
	}
}

// clearline, sipgob2bua and minb2bua serve Go's profiler on pprofAddr
// (loopback). With PROFILE=dir each of their steps saves a CPU profile of
// the middle half of its calls and profiles of what was allocated before
// and after it, as
// dir/<target>-<rate>.{cpu,allocs-base,allocs,heap}.pprof.
var profileDir = os.Getenv("PROFILE")

const pprofAddr = "127.0.0.1:16060"

func pprofSetting() string { return fmt.Sprintf("pprof = %q", pprofAddr) }

// runtimeMetrics reads clearline's runtime metrics (nil if it cannot).
func runtimeMetrics(ctx context.Context) map[string]float64 {
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+pprofAddr+"/debug/runtime-metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := map[string]float64{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, " "); ok {
			m[k], _ = strconv.ParseFloat(v, 64)
		}
	}
	return m
}

func (s step) runtimeSummary() string {
	if s.allocBytes == 0 {
		return ""
	}
	return fmt.Sprintf("; per call %.1f kB in %.0f allocations, %.1f goroutines; %d GC cycles",
		s.allocBytes/1024, s.allocObjects, s.goroutines, s.gcCycles)
}

func profile(ctx context.Context, t *testing.T, name string, dur time.Duration) {
	if err := os.MkdirAll(profileDir, 0o755); err != nil {
		t.Log(err)
		return
	}
	select {
	case <-time.After(dur / 4):
	case <-ctx.Done():
		return
	}
	fetch := func(path, file string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+pprofAddr+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Logf("profile %s: %v", path, err)
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if err := os.WriteFile(filepath.Join(profileDir, file), b, 0o644); err != nil {
			t.Log(err)
		}
	}
	// allocs-base and allocs bracket the CPU profile: go tool pprof
	// -base X.allocs-base.pprof X.allocs.pprof shows what those calls allocated.
	fetch("/debug/pprof/allocs", name+".allocs-base.pprof")
	fetch(fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(1, int(dur.Seconds()/2))), name+".cpu.pprof")
	fetch("/debug/pprof/allocs", name+".allocs.pprof")
	fetch("/debug/pprof/heap?gc=1", name+".heap.pprof")
	t.Logf("profiles of %s in %s", name, profileDir)
}

// waitSIP sends OPTIONS to addr until something answers: the target is
// ready (Kamailio needs seconds to allocate its shared memory).
func waitSIP(ctx context.Context, addr string) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 2048)
	for i := 0; ctx.Err() == nil && i < 300; i++ {
		msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKready%d\r\nFrom: <sip:probe@127.0.0.1>;tag=p%d\r\n"+
			"To: <sip:%s>\r\nCall-ID: ready-%d@bench\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			addr, c.LocalAddr(), i, i, addr, i)
		c.Write([]byte(msg))
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, err := c.Read(buf); err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0") {
			return nil
		}
		// "port unreachable" fails the read at once while the target starts.
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("no answer from %s", addr)
}

func stopTarget(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
}

// build builds the Go command in pkg once per run and returns its path.
func build(t *testing.T, name, pkg string) string {
	if bin, ok := built[name]; ok {
		return bin
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	built[name] = bin
	return bin
}

var built = map[string]string{}

func writeTemplate(t *testing.T, src, dst string, data any) {
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := template.Must(template.New(src).Parse(string(b)))
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := tmpl.Execute(f, data); err != nil {
		t.Fatal(err)
	}
}

// groupCPU is the user and system CPU time used so far by every process
// in pgid's process group (Kamailio's workers, or clearline alone).
func groupCPU(pgid int) time.Duration {
	const clkTck = 100 // USER_HZ, 100 on Linux
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses and may
		// hold spaces: state ppid pgrp ... utime(12th) stime(13th).
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		fs := strings.Fields(string(b[i+1:]))
		if len(fs) < 13 {
			continue
		}
		if g, _ := strconv.Atoi(fs[2]); g != pgid {
			continue
		}
		u, _ := strconv.ParseInt(fs[11], 10, 64)
		s, _ := strconv.ParseInt(fs[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * time.Second / clkTck
}

// median of the rounds' figures (the lower middle one of an even count).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

func rss(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

func parseRates(s string, def []float64) []float64 {
	if s == "" {
		return def
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if v, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return d
	}
	return def
}

func tailStr(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// summarizeLog counts a target's log lines by message, first seen first.
func summarizeLog(s string) string {
	var order []string
	n := map[string]int{}
	for _, l := range strings.Split(s, "\n") {
		k := l
		if i := strings.Index(l, "msg="); i >= 0 {
			k = l[i:]
			if j := strings.Index(k, " call_id="); j > 0 {
				k = k[:j]
			}
		}
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if n[k] == 0 {
			order = append(order, k)
		}
		n[k]++
	}
	var b strings.Builder
	for _, k := range order {
		fmt.Fprintf(&b, "%6d × %.200s\n", n[k], k)
	}
	return b.String()
}
