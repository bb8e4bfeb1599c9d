package importer

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkReadNumbers reads a million-line block list in the forms people
// write numbers in.
//
//	go test -run '^$' -bench ReadNumbers -benchtime 3x ./internal/screen/importer
func BenchmarkReadNumbers(b *testing.B) {
	const lines = 1_000_000
	rng := rand.New(rand.NewPCG(1, 1))
	var buf bytes.Buffer
	buf.WriteString("number,notes\n")
	for i := range lines {
		n := 7400000000 + rng.Uint64N(600000000)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&buf, "+44%d,reported\n", n)
		case 1:
			s := fmt.Sprintf("0%d", n)
			fmt.Fprintf(&buf, "%s %s,reported\n", s[:5], s[5:])
		default:
			fmt.Fprintf(&buf, "44%d\n", n)
		}
	}
	data := buf.Bytes()
	p := gb(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, sum, err := ReadNumbers(context.Background(), bytes.NewReader(data), Options{Parser: p})
		if err != nil || sum.Added+sum.Duplicates+sum.RejectedTotal != lines {
			b.Fatalf("%+v, %v: lines unaccounted for", sum.Added, err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
