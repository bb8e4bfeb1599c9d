package testpeer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SippLoad runs a SIPp load: opts.Calls calls at opts.Rate per
// opts.RatePeriod, at most opts.MaxConcurrent at once, without the message
// trace (which would grow with every call). Counts and timings are in the
// result: Successful, Failed, StatInt, StatDuration. The answering side is a
// separate StartSipp with Calls set to the same number (restart it between
// load steps).
func SippLoad(ctx context.Context, t testing.TB, opts SippOptions) (*SippResult, error) {
	t.Helper()
	if opts.Calls <= 0 || opts.Rate <= 0 {
		return nil, fmt.Errorf("testpeer: SippLoad needs Calls and Rate (got %d, %v)", opts.Calls, opts.Rate)
	}
	opts.NoMessageTrace = true
	if opts.Timeout <= 0 {
		opts.Timeout = time.Duration(float64(opts.Calls)/opts.Rate*float64(max(opts.RatePeriod, time.Second))) + opts.Hold + 30*time.Second
	}
	return RunSipp(ctx, t, opts)
}

// StatInt returns an integer column of the final statistics line, e.g.
// "FailedCallRejected(C)", "Retransmissions(C)", "OutOfCallMsgs(C)".
func (r *SippResult) StatInt(name string) (int, bool) {
	v, ok := r.Stats[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil
}

// StatFloat returns a numeric column of the final statistics line, e.g.
// "CallRate(C)" (calls per second over the run).
func (r *SippResult) StatFloat(name string) (float64, bool) {
	v, ok := r.Stats[name]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return f, err == nil
}

// StatDuration returns a duration column (SIPp writes hh:mm:ss:µµµµµµ) of
// the final statistics line, e.g. "ResponseTime1(C)" (mean INVITE-to-200 time,
// from the scenario's rtd marker), "CallLength(C)" (mean call length).
func (r *SippResult) StatDuration(name string) (time.Duration, bool) {
	v, ok := r.Stats[name]
	if !ok {
		return 0, false
	}
	f := strings.Split(strings.TrimSpace(v), ":")
	if len(f) != 4 {
		return 0, false
	}
	var n [4]int64
	for i, s := range f {
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false
		}
		n[i] = x
	}
	return time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute +
		time.Duration(n[2])*time.Second + time.Duration(n[3])*time.Microsecond, true
}
