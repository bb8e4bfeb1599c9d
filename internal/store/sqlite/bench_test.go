package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
)

// BenchmarkCallLog writes whole calls as the gateway does under load: many
// calls at once, each recording its start, screening decision, answer and
// end, each write committed before it returns. One op is one call (four
// writes). Run with -cpu 1 to see what one core sustains:
//
//	go test -run '^$' -bench CallLog -cpu 1 ./internal/store/sqlite
var par = 1

func BenchmarkCallLog(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "clearline.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var seq atomic.Int64
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	b.SetParallelism(par)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("bench-%d", seq.Add(1))
			at := start.Add(time.Duration(seq.Load()) * time.Millisecond)
			if err := s.StartCall(ctx, store.Call{ID: id, LineID: "mum", Direction: "inbound", From: "+442071838750", To: "+441632960001", StartedAt: at}); err != nil {
				b.Error(err)
				return
			}
			if err := s.SetCallDecision(ctx, id, "allow", []string{"trusted contact of this line"}); err != nil {
				b.Error(err)
				return
			}
			if err := s.AnswerCall(ctx, id, at.Add(time.Second)); err != nil {
				b.Error(err)
				return
			}
			if err := s.EndCall(ctx, id, at.Add(time.Minute), "completed", "caller", ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
