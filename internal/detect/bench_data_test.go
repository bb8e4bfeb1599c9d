package detect

import (
	"encoding/json"
	"os"
	"testing"
)

func devTurns(tb testing.TB) []Segment {
	b, err := os.ReadFile("testdata/calls-dev.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var segs []Segment
	for _, line := range splitLines(b) {
		var c struct {
			Turns []struct{ Speaker, Text string }
		}
		if err := json.Unmarshal(line, &c); err != nil {
			tb.Fatal(err)
		}
		for _, t := range c.Turns {
			sp, _ := ParseSpeaker(t.Speaker)
			segs = append(segs, Segment{Speaker: sp, Text: t.Text})
		}
	}
	return segs
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range b {
		if c == '\n' {
			if i > start {
				out = append(out, b[start:i])
			}
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, b[start:])
	}
	return out
}
