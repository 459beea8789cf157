#!/usr/bin/env bash
# Re-render the golden page images of the notices (tests/notifications/golden/*.png). Review every changed
# image (git diff --stat; open the PNGs) before committing: the goldens are what a clerk signed off.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BANLI_UPDATE_GOLDENS=1 .venv/bin/python -m pytest -q -p no:randomly tests/notifications/test_golden.py "$@" || true
git status --short tests/notifications/golden
