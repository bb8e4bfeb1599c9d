#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: installs what the tests need
# (idempotent), then vets and tests every package against the real peers
# (SIPp, baresip, PostgreSQL, speech synthesis).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
go vet ./...
# -p 2: the machine has 2 cores and several packages start real SIP peers.
go test -p 2 -timeout 45m "$@" ./...
