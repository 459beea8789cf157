#!/usr/bin/env bash
# Install everything the tests need (Debian packages, Python packages, a PostgreSQL server when none
# is reachable) and run the whole suite: lint, types, tests on SQLite + PostgreSQL, SMTP, Chromium.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
cd "$ROOT"

apt_ensure "${FONT_PACKAGES[@]}" poppler-utils chromium || true
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
log "pytest"
python -m pytest "$@"
