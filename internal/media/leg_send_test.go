package media

import (
	"testing"
	"time"
)

func TestOutStreamStamp(t *testing.T) {
	type pkt struct {
		seg  uint64
		seq  uint16
		ts   uint32
		dur  uint32
		at   time.Duration
		wSeq uint16 // offset from the stream's first sequence number
		wTS  uint32 // offset from the stream's first timestamp
		wNew bool
	}
	ms := time.Millisecond
	tests := []struct {
		name string
		pkts []pkt
	}{
		{"one source keeps its spacing", []pkt{
			{segRelay | 7, 1000, 5000, 160, 0, 0, 0, true},
			{segRelay | 7, 1001, 5160, 160, 20 * ms, 1, 160, false},
			{segRelay | 7, 1003, 5480, 160, 60 * ms, 3, 480, false}, // a lost packet stays a gap
			{segRelay | 7, 1002, 5320, 160, 61 * ms, 2, 320, false}, // late packet keeps its place
			{segRelay | 7, 1004, 5640, 160, 80 * ms, 4, 640, false},
		}},
		{"switching sources continues the stream", []pkt{
			{segRelay | 7, 1000, 5000, 160, 0, 0, 0, true},
			{segRelay | 7, 1001, 5160, 160, 20 * ms, 1, 160, false},
			{segPrompt | 1, 0, 0, 160, 25 * ms, 2, 320, true},
			{segPrompt | 1, 1, 160, 160, 45 * ms, 3, 480, false},
			{segRelay | 7, 1009, 6440, 160, 50 * ms, 4, 640, true}, // back to the relay: +1, after the prompt
			{segRelay | 7, 1010, 6600, 160, 70 * ms, 5, 800, false},
		}},
		{"a pause shows in the timestamps", []pkt{
			{segRelay | 7, 1, 0, 160, 0, 0, 0, true},
			{segPrompt | 1, 0, 0, 160, 200 * ms, 1, 1600, true},
		}},
		{"a restarted source starts a new segment", []pkt{
			{segRelay | 7, 1, 0, 160, 0, 0, 0, true},
			{segRelay | 7, 40000, 999999, 160, 20 * ms, 1, 160, true},
			{segRelay | 7, 40001, 1000159, 160, 40 * ms, 2, 320, false},
		}},
		{"events share a timestamp and end after their duration", []pkt{
			{segRelay | 7, 10, 800, 160, 0, 0, 0, true},
			{segRelay | 7, 11, 960, 160, 20 * ms, 1, 160, false},     // event start
			{segRelay | 7, 12, 960, 320, 40 * ms, 2, 160, false},     // update
			{segRelay | 7, 13, 960, 800, 100 * ms, 3, 160, false},    // end
			{segPrompt | 1, 0, 0, 160, 105 * ms, 4, 160 + 800, true}, // after the event's end
		}},
		{"wraparound", []pkt{
			{segRelay | 7, 65535, 0xffffff60, 160, 0, 0, 0, true},
			{segRelay | 7, 0, 0, 160, 20 * ms, 1, 160, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOutStream()
			seq0, ts0 := s.seq, s.ts
			for i, p := range tt.pkts {
				seq, ts, isNew := s.stamp(p.seg, p.seq, p.ts, p.dur, p.at)
				if seq-seq0 != p.wSeq || ts-ts0 != p.wTS || isNew != p.wNew {
					t.Errorf("packet %d: seq +%d ts +%d new %v; want +%d +%d %v", i, seq-seq0, ts-ts0, isNew, p.wSeq, p.wTS, p.wNew)
				}
			}
		})
	}
}

func TestRateLog(t *testing.T) {
	var r rateLog
	ms := time.Millisecond
	steps := []struct {
		at         time.Duration
		ok         bool
		suppressed int
	}{
		{0, true, 0},
		{10 * ms, false, 0},
		{999 * ms, false, 0},
		{1000 * ms, true, 2},
		{1500 * ms, false, 0},
		{5 * time.Second, true, 1},
		{6 * time.Second, true, 0},
	}
	for i, s := range steps {
		ok, n := r.allow(s.at)
		if ok != s.ok || n != s.suppressed {
			t.Errorf("step %d at %v: allow = %v, %d; want %v, %d", i, s.at, ok, n, s.ok, s.suppressed)
		}
	}
}
