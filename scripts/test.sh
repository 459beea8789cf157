#!/usr/bin/env bash
# Install everything the tests need (Debian packages, Python packages, a PostgreSQL server when none
# is reachable) and run the whole suite: lint, types, tests on SQLite + PostgreSQL, SMTP, Chromium.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
cd "$ROOT"

# nginx-light: tests/deploy runs `nginx -t` on the reverse-proxy example (its start is denied in CI images).
apt_ensure "${FONT_PACKAGES[@]}" poppler-utils chromium nginx-light || true
fangsong_ensure || true
venv_ensure "[test]"

# PostgreSQL: use BANLI_TEST_PG_URL, else 127.0.0.1:5432, else start a throwaway cluster.
source "$ROOT/scripts/_postgres.sh"
ensure_postgres

export PATH="$VENV/bin:$PATH"
log "ruff"
ruff check .
log "mypy"
mypy .
# Two or more pytest-xdist workers (one per core; BANLI_TEST_WORKERS overrides, 0 = serial). Each worker
# is its own pytest session: its own PostgreSQL database, SQLite template, Chromium and free ports.
# Measured on the 2-core machine: 13 min 08 s serially → see docs/deployment.md "Tests".
WORKERS="${BANLI_TEST_WORKERS:-auto}"
log "pytest (-n $WORKERS)"
if [ "$WORKERS" = "0" ]; then python -m pytest "$@"; else python -m pytest -n "$WORKERS" "$@"; fi
