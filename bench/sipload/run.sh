#!/usr/bin/env bash
# SIP load: clearline (full B2BUA with media anchoring) vs Kamailio (plain
# stateful proxy) between the same SIPp caller and SIPp answerer, each target
# pinned to CPU 0 with SIPp on the other core. Prints the highest call rate
# each sustains (<0.1% failed calls and no backlog: the caller done within
# 1 s of the last call), the ratio, and clearline's memory per concurrent
# call. clearline runs twice: with Go's default collector and with the same
# 1 GB memory as Kamailio (GOMEMLIMIT=1GiB GOGC=off). sipgo-b2bua
# (sipgob2bua/) is the floor under clearline: sipgo's dialogs alone, made as
# the gateway makes them, with no media and no call log.
#   RATES=100,200,400 STEP=20s HOLD=1s ROUNDS=3 bench/sipload/run.sh
# ROUNDS=n climbs each ladder n times and reports the median highest rate.
# CLEARLINE_BIN=path measures a clearline built elsewhere (another commit).
set -euo pipefail
cd "$(dirname "$0")"
bash ../../scripts/install-deps.sh >/dev/null
CLEARLINE_BENCH=1 go test -count=1 -run TestCallRate -v -timeout 60m . 2>&1 | grep -E "rate|round|RESULT|FAIL|ok|panic|profiles"
