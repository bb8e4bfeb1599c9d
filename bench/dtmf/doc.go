// Package dtmfbench compares clearline's in-band DTMF detector
// (internal/dtmf) with spandsp's dtmf_rx (Debian libspandsp-dev, through
// cgo) on the same generated audio in one run: every key, the ITU-T Q.24
// frequency-deviation, twist, duration and level limits, noise, and
// talk-off speech from espeak-ng and flite. It reports how often the two
// agree, each one's accuracy against the ground truth, where each departs
// from Q.24, and samples per second on one core for each.
//
// The spandsp side needs the build tag "spandsp" (run.sh sets it when
// spandsp's headers are installed); without it the tests skip.
package dtmfbench
