#!/usr/bin/env bash
# In-band DTMF: clearline's detector (internal/dtmf) vs spandsp's dtmf_rx
# (Debian libspandsp-dev, through cgo) on the same generated audio, in one
# run: agreement, accuracy against the ground truth, Q.24 sweeps, talk-off
# on espeak-ng/flite speech, and samples per second on one core for each.
#   bench/dtmf/run.sh            # the report
#   BENCH=1 bench/dtmf/run.sh    # also the Go benchmarks (-cpu 1)
set -euo pipefail
cd "$(dirname "$0")"
if ! pkg-config --exists spandsp 2>/dev/null && [ ! -f /usr/include/spandsp.h ]; then
	bash ../../scripts/install-deps.sh >/dev/null
fi
GOMAXPROCS=1 go test -tags spandsp -count=1 -run '^TestCompare$' -v -timeout 20m . | grep -v -E '^(=== RUN|--- PASS|PASS|ok )'
if [ -n "${BENCH:-}" ]; then
	go test -tags spandsp -run '^$' -bench . -cpu 1 -count 3 -benchtime 20x .
fi
