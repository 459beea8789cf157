#!/usr/bin/env bash
# Start banli (web UI + API + scheduler) on the embedded SQLite database under ./var/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
cd "$ROOT"
apt_ensure "${FONT_PACKAGES[@]}" || log "PDF notices need CJK fonts: apt-get install ${FONT_PACKAGES[*]}"
fangsong_ensure || true
venv_ensure ""
exec "$VENV/bin/banli" serve "$@"
