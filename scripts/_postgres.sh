#!/usr/bin/env bash
# ensure_postgres: export BANLI_TEST_PG_URL pointing at a reachable PostgreSQL server, starting a
# throwaway cluster (initdb -A trust, fsync off) when none is reachable. If that is impossible,
# say so loudly; the tests then print a SKIPPED banner naming the reason.
pg_reachable() {
  "$VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
psycopg.connect(url, connect_timeout=3).close()
PY
}

ensure_postgres() {
  local url="${BANLI_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
  if pg_reachable "$url"; then export BANLI_TEST_PG_URL="$url"; log "PostgreSQL: $url"; return 0; fi
  log "no PostgreSQL at $url — starting a throwaway cluster"
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -z "$bindir" ]; then apt_ensure postgresql || true; bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"; fi
  if [ -z "$bindir" ]; then
    log "!!!!!!!! SKIPPED: PostgreSQL server binaries unavailable (apt-get install postgresql failed); PostgreSQL tests will be skipped"
    export BANLI_TEST_PG=off; return 0
  fi
  local dir="${TMPDIR:-/tmp}/banli-pg-$$"
  local port=55432
  mkdir -p "$dir"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home "$dir" postgres
    chown -R postgres "$dir"; run=(runuser -u postgres --)
  fi
  if "${run[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres >/dev/null \
     && "${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null; then
    export BANLI_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    # Expand the values now: the function's locals are gone when the EXIT trap runs (set -u).
    trap "${run[*]} $bindir/pg_ctl -D $dir/data -m immediate stop >/dev/null 2>&1; rm -rf $dir" EXIT
    log "PostgreSQL (throwaway): $BANLI_TEST_PG_URL"
  else
    log "!!!!!!!! SKIPPED: could not start a PostgreSQL cluster (see $dir/log); PostgreSQL tests will be skipped"
    export BANLI_TEST_PG=off
  fi
}
