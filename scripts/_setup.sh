#!/usr/bin/env bash
# Shared set-up for scripts/serve.sh and scripts/test.sh: idempotent, safe to run every time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

log() { printf '\033[1m[banli]\033[0m %s\n' "$*" >&2; }

# Debian packages: install only what is missing (needs root or sudo; otherwise say what to install).
apt_ensure() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      log "WARNING: missing Debian packages (install as root): ${missing[*]}"; return 1; fi
  fi
  log "apt-get install ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    $sudo apt-get update -qq >/dev/null 2>&1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  }
}

# Python virtual environment with the project installed (re-installed when pyproject.toml changes).
venv_ensure() {
  local extra="$1"   # "" or "[test]"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment in .venv"
    "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.banli-installed$extra"
  local want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing Python packages (pip install -e .$extra)"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
    "$VENV/bin/python" -m pip install -q -e "$ROOT$extra" > "$VENV/pip-install.log" 2>&1 || {
      cat "$VENV/pip-install.log" >&2; log "ERROR: pip install failed"; exit 1; }
    "$VENV/bin/python" -c "import fastapi, sqlmodel, transitions, apscheduler, jinja2, aiosmtplib" || {
      log "ERROR: Python packages did not install"; exit 1; }
    echo "$want" > "$stamp"
  fi
}

FONT_PACKAGES=(fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-hanazono)

# The body face of official documents is 仿宋 (GB/T 9704-2012). Debian has no simplified-Chinese 仿宋 as a
# font package; the Fandol fonts (GPL with the font exception: embedding in PDFs is free) ship inside the
# texlive-lang-chinese package. FandolFang covers all 6,763 characters of GB 2312 (3,755 level-1 and
# 3,008 level-2; python -m notifications.fonts measures it). Only the font files are taken from the package
# (apt-get download + dpkg-deb, no TeX installed). An agency's licensed 仿宋_GB2312 / 方正小标宋 dropped
# into BANLI_FONTS_DIR still comes first in every font stack.
FANDOL_DIR=/usr/local/share/fonts/banli-fandol
fangsong_ensure() {
  if fc-list 2>/dev/null | grep -q "FandolFang"; then return 0; fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      log "WARNING: no 仿宋 face installed (run scripts/test.sh as root once)"; return 1; fi
  fi
  log "installing the FandolFang (仿宋) and FandolHei (黑体) fonts from Debian's texlive-lang-chinese"
  local tmp
  tmp="$(mktemp -d)"
  ( cd "$tmp" && apt-get download texlive-lang-chinese >/dev/null 2>&1 ) || {
    $sudo apt-get update -qq >/dev/null 2>&1; ( cd "$tmp" && apt-get download texlive-lang-chinese >/dev/null ); }
  dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
  $sudo mkdir -p "$FANDOL_DIR"
  $sudo cp "$tmp"/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol{Fang,Hei}-Regular.otf \
    "$tmp"/x/usr/share/doc/texlive-doc/fonts/fandol/{README,COPYING.gz} "$FANDOL_DIR/"
  rm -rf "$tmp"
  $sudo fc-cache -f "$FANDOL_DIR" >/dev/null 2>&1 || true
}
