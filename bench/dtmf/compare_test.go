package dtmfbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func requireSpandsp(tb testing.TB) {
	tb.Helper()
	if !haveSpandsp {
		tb.Skip("spandsp comparison not built: run bench/dtmf/run.sh (go test -tags spandsp; needs libspandsp-dev)")
	}
}

// stream is the synthetic audio both throughput benchmarks run over: every
// tone clip back to back (about 18 minutes of 8 kHz audio).
var stream = sync.OnceValue(func() []int16 {
	var s []int16
	for _, c := range toneClips() {
		s = append(s, c.pcm...)
	}
	return s
})

// tally counts one detector's results in a group.
type tally struct {
	scored, correct int
	missed, extra   int // scored clips with keys missing / unwanted keys reported
	falseDigits     int // talk-off: keys reported in speech
}

func (t *tally) add(want, got string) {
	if want == dontCare {
		return
	}
	t.scored++
	if got == want {
		t.correct++
		return
	}
	if want == "" {
		t.extra++
		t.falseDigits += len(got)
	} else {
		t.missed++
	}
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// TestCompare is the one-run report: both detectors over the same clips.
// It fails only if spandsp cannot be run; the figures are the output.
func TestCompare(t *testing.T) {
	requireSpandsp(t)
	clips := toneClips()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	talk, note, err := speech(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clips = append(clips, talk...)
	w := io.Writer(os.Stdout)

	type result struct{ ours, sp string }
	res := make([]result, len(clips))
	for i, c := range clips {
		sp, err := spandspDetect(c.pcm)
		if err != nil {
			t.Fatal(err)
		}
		res[i] = result{ours(c.pcm), sp}
	}

	groups := []string{"keys", "frequency", "twist", "duration", "level", "noise", "pause", "talk-off"}
	type gstat struct {
		n, agree int
		o, s     tally
		seconds  float64
	}
	stats := map[string]*gstat{}
	var all gstat
	for i, c := range clips {
		g := stats[c.group]
		if g == nil {
			g = &gstat{}
			stats[c.group] = g
		}
		for _, x := range []*gstat{g, &all} {
			x.n++
			if res[i].ours == res[i].sp {
				x.agree++
			}
			x.o.add(c.want, res[i].ours)
			x.s.add(c.want, res[i].sp)
			x.seconds += float64(len(c.pcm)) / rate
		}
	}
	fmt.Fprintf(w, "\nDTMF detectors on the same audio: clearline internal/dtmf vs spandsp dtmf_rx (default parameters), 20 ms chunks\n")
	fmt.Fprintf(w, "talk-off corpus: %s\n\n", note)
	fmt.Fprintf(w, "%-10s %6s %10s %10s %18s %18s\n", "group", "clips", "agreement", "scored", "clearline correct", "spandsp correct")
	for _, gname := range append(groups, "all") {
		g := stats[gname]
		if gname == "all" {
			g = &all
		}
		if g == nil {
			continue
		}
		fmt.Fprintf(w, "%-10s %6d %10s %10d %18s %18s\n", gname, g.n, pct(g.agree, g.n), g.o.scored, pct(g.o.correct, g.o.scored), pct(g.s.correct, g.s.scored))
	}
	fmt.Fprintf(w, "\nerrors on scored clips: clearline %d missed / %d false; spandsp %d missed / %d false\n",
		all.o.missed, all.o.extra, all.s.missed, all.s.extra)
	if g := stats["talk-off"]; g != nil && g.seconds > 0 {
		h := g.seconds / 3600
		fmt.Fprintf(w, "talk-off: clearline %d false digits (%.1f/hour), spandsp %d false digits (%.1f/hour) in %.1f min of speech\n",
			g.o.falseDigits, float64(g.o.falseDigits)/h, g.s.falseDigits, float64(g.s.falseDigits)/h, g.seconds/60)
		for i, c := range clips {
			if c.group == "talk-off" && (res[i].ours != "" || res[i].sp != "") {
				fmt.Fprintf(w, "  %-26s clearline %q spandsp %q\n", c.name, res[i].ours, res[i].sp)
			}
		}
	}

	// Q.24 sweeps: share of clips on which each detector reported exactly
	// the key, by swept value, with Q.24's expectation.
	for _, gname := range []string{"frequency", "twist", "duration", "level", "noise"} {
		fmt.Fprintf(w, "\n%s sweep (detected share; Q.24: must=operate, never=must not operate, -=unspecified)\n", gname)
		fmt.Fprintf(w, "%10s %6s %10s %10s\n", "value", "Q.24", "clearline", "spandsp")
		type row struct {
			n, o, s int
			want    string
		}
		rows := map[float64]*row{}
		for i, c := range clips {
			if c.group != gname {
				continue
			}
			r := rows[c.x]
			if r == nil {
				r = &row{}
				rows[c.x] = r
			}
			r.n++
			key := strings.Fields(c.name)[0]
			if gname == "noise" {
				key = allKeys // all 16 keys, exactly
			}
			if res[i].ours == key {
				r.o++
			}
			if res[i].sp == key {
				r.s++
			}
			switch c.want {
			case dontCare:
				r.want = "-"
			case "":
				r.want = "never"
			default:
				r.want = "must"
			}
		}
		var xs []float64
		for x := range rows {
			xs = append(xs, x)
		}
		sort.Float64s(xs)
		for _, x := range xs {
			r := rows[x]
			flag := ""
			for _, v := range []struct {
				who string
				got int
			}{{"clearline", r.o}, {"spandsp", r.s}} {
				if r.want == "must" && v.got < r.n || r.want == "never" && v.got > 0 {
					flag += " <- " + v.who + " departs from Q.24"
				}
			}
			fmt.Fprintf(w, "%10.1f %6s %10s %10s%s\n", x, r.want, pct(r.o, r.n), pct(r.s, r.n), flag)
		}
	}

	// Throughput on one core, same audio: the two detectors alternate,
	// five passes each, best pass kept. Time is measured twice: wall time
	// and the CPU time of this (locked) thread, which other processes on a
	// busy machine do not inflate. Two streams: every tone clip back to
	// back (tones and the silences between them), and the talk-off speech.
	var speechPCM []int16
	for _, c := range talk {
		speechPCM = append(speechPCM, c.pcm...)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpuRates [2]float64
	for si, st := range []struct {
		name string
		pcm  []int16
	}{{"tone clips", stream()}, {"speech", speechPCM}} {
		s := st.pcm
		if len(s) == 0 {
			continue
		}
		type best struct{ wall, cpu time.Duration }
		o, sp := best{1 << 62, 1 << 62}, best{1 << 62, 1 << 62}
		for r := 0; r < 5; r++ {
			for _, v := range []struct {
				b   *best
				run func()
			}{{&o, func() { _ = ours(s) }}, {&sp, func() { _, _ = spandspDetect(s) }}} {
				w0, c0 := time.Now(), threadCPU()
				v.run()
				w, c := time.Since(w0), threadCPU()-c0
				v.b.wall, v.b.cpu = min(v.b.wall, w), min(v.b.cpu, c)
			}
		}
		rateOf := func(d time.Duration) float64 { return float64(len(s)) / d.Seconds() }
		fmt.Fprintf(w, "\nthroughput, %s (%.1f min of audio), one core, best of 5 alternating passes:\n", st.name, float64(len(s))/rate/60)
		fmt.Fprintf(w, "  wall time:   clearline %.1f M samples/s, spandsp %.1f M samples/s, clearline/spandsp = %.2f\n",
			rateOf(o.wall)/1e6, rateOf(sp.wall)/1e6, rateOf(o.wall)/rateOf(sp.wall))
		fmt.Fprintf(w, "  thread CPU:  clearline %.1f M samples/s, spandsp %.1f M samples/s, clearline/spandsp = %.2f\n",
			rateOf(o.cpu)/1e6, rateOf(sp.cpu)/1e6, rateOf(o.cpu)/rateOf(sp.cpu))
		if si == 0 {
			cpuRates = [2]float64{rateOf(o.cpu), rateOf(sp.cpu)}
		}
	}
	fmt.Fprintf(w, "RESULT agreement %s; accuracy clearline %s spandsp %s; samples/s on tone clips (thread CPU) clearline %.3g spandsp %.3g\n",
		pct(all.agree, all.n), pct(all.o.correct, all.o.scored), pct(all.s.correct, all.s.scored), cpuRates[0], cpuRates[1])
}

// threadCPU is the CPU time the calling OS thread has used (Linux
// RUSAGE_THREAD); callers lock the goroutine to its thread.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkClearline and BenchmarkSpandsp run each detector over the same
// stream; samples/s is the figure to compare (use -cpu 1).
func BenchmarkClearline(b *testing.B) {
	s := stream()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = ours(s)
	}
	b.ReportMetric(float64(b.N)*float64(len(s))/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkSpandsp(b *testing.B) {
	requireSpandsp(b)
	s := stream()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := spandspDetect(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(s))/b.Elapsed().Seconds(), "samples/s")
}
