#!/usr/bin/env bash
# Installs (idempotently) the Debian packages the test suite and benchmarks use,
# and makes sure PostgreSQL is running. Safe to run again and again.
set -euo pipefail

# --runtime installs only what the clearline binary itself needs to build
# with its embedded recogniser (pocketsphinx through cgo); no test tools.
RUNTIME_PKGS=(pocketsphinx-en-us libpocketsphinx-dev libsphinxbase-dev pkg-config gcc)

PKGS=(
  sip-tester        # SIPp: the provider/trunk peer and load generator
  baresip           # a real softphone as the protected phone
  baresip-core
  sox               # audio conversion and measurement
  espeak-ng         # speech synthesis for prompts and talk-off tests
  flite             # speech synthesis pocketsphinx can recognise
  pocketsphinx pocketsphinx-en-us libpocketsphinx-dev libsphinxbase-dev
  libspandsp-dev    # reference DTMF detector for the benchmark
  multimon-ng       # reference DTMF decoder
  tcpdump           # internal/testpeer: captures the RTP a SIPp peer receives (SIPp 3.6 cannot record)
  kamailio          # reference SIP proxy for the load benchmark
  chromium chromium-driver
  postgresql postgresql-client
  pkg-config gcc
)

if [ "${1:-}" = "--runtime" ]; then
  PKGS=("${RUNTIME_PKGS[@]}")
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  # kamailio's package may try to start a service; policy-rc.d stops that in containers.
  $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi

[ "${1:-}" = "--runtime" ] && exit 0

# PostgreSQL: start it if it is installed but not answering.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    v=$(ls /etc/postgresql | head -n1)
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if command -v psql >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null 2>&1 || true
fi
