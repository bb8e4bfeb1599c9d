#!/usr/bin/env bash
# In-call listening on telephone-band audio, end to end: synthesised scam and
# benign calls (flite) sent by SIPp as G.711 through clearline (embedded
# pocketsphinx keyword spotter + scam-script detector) to a recording baresip
# phone. Prints the share of scam calls warned, of benign calls wrongly
# warned, the warning latency and the recogniser's real-time factor.
#   PARALLEL=2 CALLS=s01,b07 bench/listen/run.sh      (CALLS: a subset, for a quick look)
#   OFFLINE_ONLY=1 bench/listen/run.sh                (recogniser + detector on the same audio, no gateway)
set -euo pipefail
cd "$(dirname "$0")"
if [[ "${SKIP_DEPS:-}" != 1 ]]; then bash ../../scripts/install-deps.sh >/dev/null; fi
OUT=${OUT:-/tmp/clearline-bench-listen.log}
CLEARLINE_BENCH_LISTEN=1 go test -run TestListenBench -v -count 1 -parallel "${PARALLEL:-2}" -timeout 40m . 2>&1 | tee "$OUT" | grep -E "^\s+listen_test.go:[0-9]+: (RESULT|[0-9]+ calls)|^\s+\| |--- FAIL|^(ok|FAIL|panic)"
echo "full log: $OUT"
