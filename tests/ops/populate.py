"""A populated instance for the backup, restore and health tests: cases with events, clocks, notices and files."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine.url import make_url
from sqlmodel import SQLModel, col, select

import db.models  # noqa: F401  (every table in the metadata)
from db.engine import make_engine, read_session, write_session
from db.models import Disclosure, StoredFile
from notifications.files import store_file
from settings import Settings
from tests.conftest import PG_ADMIN_URL, Db
from tests.helpers import make_staff, registration
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import FixedTime


def populate(db: Db, clock: FixedTime, cases: int = 6) -> list[int]:
    """Register ``cases`` applications, each with two stored files (one shared by two rows); return ids."""
    staff = make_staff(db.engine, clock.now())
    ids = []
    for i in range(cases):
        data = registration(applicant_name=f"申请人{i}", description=f"第{i}项：本县道路建设项目的招标文件",
                            assignee_id=staff.officer.id)
        reg = wf.register(db.engine, RegisterIn.model_validate(data), staff.front, clock.now())
        ids.append(reg.id)
        with write_session(db.engine) as s:
            for n, blob in enumerate((f"%PDF-1.4 scan {i}".encode() + os.urandom(2048), b"%PDF-1.4 shared form")):
                store_file(s, blob, agency_id=staff.agency_id, filename=f"材料{i}-{n}.pdf",
                           content_type="application/pdf", category="application", now=clock.now(),
                           case_kind="disclosure", case_id=reg.id, root=db.settings.files_path)
            s.commit()
    return ids


def table_counts(engine: Any) -> dict[str, int]:
    with engine.connect() as c:
        return {t: int(c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
                for t in SQLModel.metadata.tables}


def disclosures(engine: Any) -> list[dict[str, Any]]:
    with read_session(engine) as s:
        return [r.model_dump() for r in s.exec(select(Disclosure).order_by(col(Disclosure.id))).all()]


def file_hashes(root: Path) -> dict[str, str]:
    """name → SHA-256 of every file under ``root``."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def stored_shas(engine: Any) -> set[str]:
    with read_session(engine) as s:
        return set(s.exec(select(StoredFile.sha256)).all())


@contextmanager
def fresh_target(kind: str, tmp: Path) -> Iterator[Settings]:
    """Settings naming an empty database of ``kind`` and empty directories (dropped afterwards)."""
    var = tmp / f"restored-{uuid.uuid4().hex[:6]}"
    if kind == "sqlite":
        yield Settings(database_url=f"sqlite:///{var}/banli.db", var_dir=var, scheduler="off",
                       check_templates_on_start=False)
        return
    name = f"banli_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield Settings(database_url=url, var_dir=var, scheduler="off", check_templates_on_start=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def engine_for(settings: Settings) -> Any:
    return make_engine(settings.database_url)
