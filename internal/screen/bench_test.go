package screen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// The screening benchmark: 10 million numbers on the community block list,
// 100,000 on the Do-Not-Originate list, a line with 50 trusted contacts and
// 1,000 blocked numbers, and caller IDs in the forms SIP trunks present.
//
//	go test -run '^$' -bench BenchmarkDecide -benchtime 3000000x -cpu 1 ./internal/screen
//
// reports decisions/s on one core (parsing included), p99 latency of a
// single decision, and bytes of heap per blocked number.

const benchBlocked = 10_000_000

type benchFixture struct {
	s          *Screener
	line       *Line
	callerIDs  []string
	bytesPerNo float64
	listBytes  float64
}

var (
	benchOnce sync.Once
	bench     benchFixture
)

// ukNumber returns a random valid-looking UK number: a mobile (074xx to
// 079xx) or a landline in one of seven big-city exchanges' ranges.
func ukNumber(rng *rand.Rand) Number {
	if rng.IntN(10) < 7 {
		return Number(447400000000 + rng.Uint64N(600000000))
	}
	areas := [...]uint64{441142, 441213, 441612, 442071, 442083, 441312, 441412} // 0114 2, 0121 3, …
	return Number(areas[rng.IntN(len(areas))]*1000000 + rng.Uint64N(1000000))
}

func setupBench(b *testing.B) *benchFixture {
	benchOnce.Do(func() {
		rng := rand.New(rand.NewPCG(42, 42))
		s, err := New(Config{HomeRegion: "GB"})
		if err != nil {
			b.Fatal(err)
		}
		line, err := NewLine("bench", Policy{QuietHours: QuietHours{Start: 22 * 60, End: 7 * 60}})
		if err != nil {
			b.Fatal(err)
		}
		var trusted []Number
		for i := range 50 {
			n := ukNumber(rng)
			trusted = append(trusted, n)
			line.AddTrusted(Contact{Name: fmt.Sprint("contact ", i), Number: n})
		}
		own := make([]Number, 1000)
		for i := range own {
			own[i] = ukNumber(rng)
		}
		line.SetBlocked(own)
		dno := make([]Number, 100_000)
		for i := range dno {
			dno[i] = Number(443000000000 + rng.Uint64N(1000000000)) // 03 numbers
		}
		s.Lists().SetDNO(dno)

		// Measure the community list's heap cost: everything built between
		// the two readings except the list is garbage by the second.
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		blocked := make([]Number, benchBlocked)
		for i := range blocked {
			blocked[i] = ukNumber(rng)
		}
		community := NewList(blocked)
		sample := slices.Clone(blocked[:100_000])
		blocked = nil
		runtime.GC()
		runtime.ReadMemStats(&m1)
		bench.bytesPerNo = float64(m1.HeapAlloc-m0.HeapAlloc-uint64(8*cap(sample))) / float64(community.Len())
		bench.listBytes = float64(community.SizeBytes()) / float64(community.Len())
		_ = s.Lists().update(func(ls *listsSnap) error { ls.community = community; return nil }) // keep the measured list

		// Caller IDs: the forms trunks present, with hits on every list.
		const n = 1 << 20
		ids := make([]string, 0, n)
		for len(ids) < n {
			var num Number
			switch r := rng.IntN(100); {
			case r < 15:
				num = sample[rng.IntN(len(sample))] // community list hit
			case r < 20:
				num = trusted[rng.IntN(len(trusted))]
			case r < 23:
				num = dno[rng.IntN(len(dno))]
			default:
				num = ukNumber(rng) // unknown caller
			}
			e164 := num.String()
			switch r := rng.IntN(100); {
			case r < 45:
				ids = append(ids, e164) // +447400123456
			case r < 65:
				ids = append(ids, "0"+e164[3:]) // 07400123456
			case r < 80:
				ids = append(ids, e164[1:]) // 447400123456
			case r < 85:
				ids = append(ids, "00"+e164[1:]) // 00447400123456
			case r < 90:
				nat := "0" + e164[3:]
				ids = append(ids, nat[:5]+" "+nat[5:8]+" "+nat[8:]) // 07400 123 456
			case r < 95:
				ids = append(ids, [...]string{"anonymous", "", "unavailable", "Restricted"}[rng.IntN(4)])
			case r < 98:
				ids = append(ids, [...]string{"999", "101", "159", "161", "+44999"}[rng.IntN(5)])
			default:
				ids = append(ids, "07700 900"+fmt.Sprintf("%03d", rng.IntN(1000))) // drama
			}
		}
		bench.s, bench.line, bench.callerIDs = s, line, ids
	})
	return &bench
}

// BenchmarkDecide measures decisions per second on the caller-ID mix.
func BenchmarkDecide(b *testing.B) {
	f := setupBench(b)
	ctx := context.Background()
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	ids := f.callerIDs
	actions := [4]int{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := f.s.Decide(ctx, Input{CallerID: ids[i&(len(ids)-1)], Line: f.line, Now: now})
		actions[d.Action]++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(f.bytesPerNo, "heap-B/blocked")
	b.ReportMetric(f.listBytes, "list-B/blocked")
	if actions[Allow] == 0 || actions[Block] == 0 || actions[Challenge] == 0 {
		b.Fatalf("the mix did not exercise every action: %v", actions)
	}
}

// BenchmarkDecideLatency times every decision to report percentiles. The
// clock reads add about 40 ns to each figure.
func BenchmarkDecideLatency(b *testing.B) {
	f := setupBench(b)
	ctx := context.Background()
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	ids := f.callerIDs
	lat := make([]int64, 0, min(b.N, 1<<24))
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		f.s.Decide(ctx, Input{CallerID: ids[i&(len(ids)-1)], Line: f.line, Now: now})
		if len(lat) < cap(lat) {
			lat = append(lat, int64(time.Since(t0)))
		}
	}
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
	b.ReportMetric(pct(0.999), "p99.9-ns")
}

// BenchmarkDecideForms measures each caller-ID form on its own, including
// forms that need the phone-number library's slow path.
func BenchmarkDecideForms(b *testing.B) {
	f := setupBench(b)
	ctx := context.Background()
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ name, id string }{
		{"e164", "+447400123457"},
		{"national", "07400123457"},
		{"no-plus", "447400123457"},
		{"spaced", "07400 123 457"},
		{"anonymous", "anonymous"},
		{"service-code", "999"},
		{"library-path", "+44 (0)7400 123457"},
		{"junk", "abc"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.s.Decide(ctx, Input{CallerID: tc.id, Line: f.line, Now: now})
			}
		})
	}
}
