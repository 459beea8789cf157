"""Regenerate db/migrations/versions/0001_initial.py from the models (pre-release only).

Until the first release the schema lives in one initial revision; 0002 (hand-written) adds the
append-only triggers. 0003 (rate_counter) came after the first install that kept data: regenerating 0001
now would fold that table into it, so delete 0003 in the same change if you ever do. Usage: python scripts/regen_initial_migration.py
"""

from __future__ import annotations

import re
import tempfile

from alembic import command

from db.engine import make_engine
from db.migrate import MIGRATIONS_DIR, alembic_config

VERSIONS = MIGRATIONS_DIR / "versions"


def main() -> None:
    initial = VERSIONS / "0001_initial.py"
    initial.unlink(missing_ok=True)
    second = VERSIONS / "0002_event_append_only.py"
    hold = second.read_text() if second.exists() else None
    second.unlink(missing_ok=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/empty.db"
            make_engine(url).dispose()
            cfg = alembic_config(url)
            command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
        produced = next(VERSIONS.glob("0001_*.py"))
        text = produced.read_text()
        produced.write_text(re.sub(r"Create Date: .*", "Create Date: (regenerated before the first release)", text))
        produced = next(VERSIONS.glob("0001_*.py"))
        produced.rename(initial)
    finally:
        if hold is not None:
            second.write_text(hold)
    print(f"wrote {initial}")


if __name__ == "__main__":
    main()
