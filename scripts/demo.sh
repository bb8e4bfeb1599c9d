#!/usr/bin/env bash
# Runs the clearline demo on embedded defaults (SQLite, the built-in
# pocketsphinx recogniser), installing the recogniser's Debian packages
# first if they are missing (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --runtime
exec go run ./cmd/clearline demo "$@"
