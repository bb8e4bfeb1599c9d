package media

import "time"

// logInterval is the shortest time between two log lines about the same
// kind of dropped packet on one leg.
const logInterval = time.Second

// rateLog limits a log line to one per logInterval, counting what it held
// back. It is used by one goroutine only.
type rateLog struct {
	last       time.Duration
	logged     bool
	suppressed int
}

// allow reports whether a line may be logged at now, and how many were held
// back since the previous line.
func (r *rateLog) allow(now time.Duration) (ok bool, suppressed int) {
	if r.logged && now-r.last < logInterval {
		r.suppressed++
		return false, 0
	}
	suppressed, r.suppressed = r.suppressed, 0
	r.last, r.logged = now, true
	return true, suppressed
}
