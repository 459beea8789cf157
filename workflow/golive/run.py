"""The go-live import of disclosure applications (``banli disclosure import``, the admin page): every row of the
file checked as if a clerk had entered it, every good row written through the workflow with its own dates, every
bad row reported with its reasons; nothing of a refused row is kept; a row whose 原编号 is already in the system
is left alone, so a second run of the same file adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import Disclosure, User
from states.roles import Role
from workflow.accounts.memberships import member_officers
from workflow.accounts.principal import Principal
from workflow.accounts.roles import holders, roles_of
from workflow.agencies.cache import agency_context_cached
from workflow.cases.context import Collected
from workflow.errors import NotFound
from workflow.gc_pause import fewer_collections
from workflow.golive.actor import import_principal
from workflow.golive.apply import RowRefused, write_row
from workflow.golive.buffer import (
    Buffer,
    BufferedRow,
    Deferring,
    NotDeferrable,
    WriteFirst,
    deferring,
    discard,
    take_rows,
)
from workflow.golive.rows import RowPlan, parse_row
from workflow.golive.source import header_of, read_rows
from workflow.hotline.records import RowError

Progress = Callable[[int], None]
# Rows written per transaction: the commit, the write lock and the session are paid once per chunk. Each row runs
# with what it creates held in the session and nothing written (all of it or nothing of it), and the chunk's rows are
# inserted together (workflow.golive.buffer). Other writers wait for the chunk's transaction: 250 rows hold it for
# about half a second on the bench machine (100 rows: ~5 % more CPU per row, the commits and summaries' upserts).
CHUNK_ROWS = 250


@dataclass
class GoLiveReport:
    """What an import did: counts, and each bad row's problems at their columns."""

    total: int = 0
    created: int = 0
    existing: int = 0  # 原编号 already imported: left alone
    concluded: int = 0
    open: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def to_dict(self, max_errors: int | None = None) -> dict[str, Any]:
        shown = self.errors if max_errors is None else self.errors[:max_errors]
        return {"total": self.total, "created": self.created, "existing": self.existing, "concluded": self.concluded,
                "open": self.open, "error_rows": self.error_rows, "dry_run": self.dry_run,
                "errors": [{"row": e.row, "column": e.column, "problem": e.problem_zh, "code": e.code} for e in shown],
                "errors_truncated": len(self.errors) - len(shown)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GoLiveReport:
        return cls(total=d["total"], created=d["created"], existing=d["existing"], concluded=d["concluded"],
                   open=d["open"], dry_run=d["dry_run"],
                   errors=[RowError(e["row"], e["column"], e["problem"], e["code"]) for e in d["errors"]])

    def summary_zh(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (f"共 {self.total} 行：{verb}导入 {self.created}（已办结 {self.concluded}，未办结 {self.open}），"
                f"此前已导入 {self.existing}，有问题 {self.error_rows} 行"
                + ("（试运行，未写入数据库）" if self.dry_run else ""))


@dataclass
class _Officers:
    """The agency's officers by username and by name — its own staff and those of other agencies who hold the
    officer's role in it (兼任), as the assign form offers them; a name two officers share must be given as a
    username."""

    by_username: dict[str, int]
    by_name: dict[str, list[int]]

    def find(self, text: str) -> int | str:
        """The officer's id, or why there is none."""
        if text in self.by_username:
            return self.by_username[text]
        ids = self.by_name.get(text, [])
        if len(ids) == 1:
            return ids[0]
        if ids:
            return f"有{len(ids)}名承办人姓名为“{text}”，请填写用户名"
        return f"本机关没有用户名或姓名为“{text}”的承办人（请核对，或先建立账户并授予承办人角色）"


def _officers(engine: Engine, agency_id: int) -> _Officers:
    with read_session(engine) as s:
        users = [*holders(s, agency_id, Role.OFFICER), *member_officers(s, agency_id)]
    out = _Officers({}, {})
    for u in users:
        if u.id is not None:
            out.by_username[u.username] = u.id
            out.by_name.setdefault(u.display_name, []).append(u.id)
    return out


def _known_numbers(engine: Engine, agency_id: int) -> set[str]:
    with read_session(engine) as s:
        return {str(n) for n in s.exec(select(Disclosure.source_no).where(
            Disclosure.agency_id == agency_id, col(Disclosure.source_no).is_not(None)))}


def import_file(engine: Engine, path: Path | str, user: Principal, now: datetime, *, dry_run: bool = False,
                progress: Progress | None = None) -> GoLiveReport:
    """Import a go-live file for ``user``'s agency (see the module docstring); never stops at a bad row. The
    collector makes fewer passes meanwhile (workflow.gc_pause)."""
    with fewer_collections():
        return _import(engine, path, user, now, dry_run, progress)


def _import(engine: Engine, path: Path | str, user: Principal, now: datetime, dry_run: bool,
            progress: Progress | None) -> GoLiveReport:
    actor = import_principal(user)
    assert actor.agency_id is not None
    actx = agency_context_cached(engine, actor.agency_id)
    if actx.agency.id is None:
        raise NotFound("机关")
    tz = actx.cfg.timezone
    written, rows = read_rows(Path(path))
    officers = _officers(engine, actor.agency_id)
    known = _known_numbers(engine, actor.agency_id)
    report = GoLiveReport(dry_run=dry_run)
    seen: dict[str, int] = {}
    chunk = _Chunk(engine, dry_run, actor.agency_id, sorted(set(officers.by_username.values())), report)
    with ExitStack() as stack:
        stack.callback(chunk.abandon)  # an unexpected error: the open chunk is rolled back
        for number, cells in rows:
            report.total += 1
            parsed = parse_row(number, cells, written, tz=tz, now=now, source_no_seen=seen)
            if isinstance(parsed, list):
                report.errors.extend(parsed)
            elif parsed.source_no in known:
                report.existing += 1
            else:
                _write(chunk, parsed, actor, now, tz, officers, written)
            if progress is not None:
                progress(1)
        chunk.end()
    report.errors.sort(key=lambda e: e.row)
    return report


@dataclass
class _Row:
    """What a row needs to be written (again, on the per-row path, if its chunk must be redone)."""

    plan: RowPlan
    actor: Principal
    now: datetime
    tz: str
    assignee_id: int | None
    written: dict[str, str]


class _Chunk:
    """The open write transaction of up to CHUNK_ROWS rows (committed, or rolled back in a dry run, when full)."""

    def __init__(self, engine: Engine, dry_run: bool, agency_id: int, officer_ids: list[int],
                 report: GoLiveReport) -> None:
        self.engine, self.dry_run, self.agency_id, self.officer_ids = engine, dry_run, agency_id, officer_ids
        self.report = report
        self._stack: ExitStack | None = None
        self._session: Session | None = None
        self._officers: list[User] = []
        self._deferring: Deferring | None = None
        self.buffer = Buffer()
        self.accepted: list[_Row] = []  # this transaction's rows, counted once it commits
        self.rows = 0

    def session(self) -> Session:
        if self._session is None:
            self._stack = ExitStack()
            session = self._session = self._stack.enter_context(write_session(self.engine))
            # The officers, loaded once and held, with their roles here: the assignments' checks (validate_assignee)
            # find them in the session instead of reading each again.
            self._officers = list(session.exec(select(User).where(col(User.id).in_(self.officer_ids))))
            for uid in self.officer_ids:
                roles_of(session, uid, self.agency_id)
            self._deferring = self._stack.enter_context(deferring(session, self.buffer))
            self.rows = 0
        return self._session

    def write(self, row: _Row) -> None:
        """One row: deferred into the buffer, or on the per-row path when the buffer cannot hold it."""
        for _ in range(2):
            try:
                self._deferred(row)
                return
            except WriteFirst:  # a query that must see the rows waiting: write them, then run the row again
                self.write_out()
            except NotDeferrable:
                self.write_out()
                break
        self._per_row(row)

    def _deferred(self, row: _Row) -> None:
        session = self.session()
        assert self._deferring is not None
        collected, made = Collected(), []  # type: ignore[var-annotated]
        try:
            with self._deferring.row():
                write_row(session, self.engine, row.plan, row.actor, row.now, row.tz, row.assignee_id, collected,
                          deferred=made)
                tables = take_rows(session, made)
        except BaseException:
            discard(session, made)
            raise
        self.buffer.add(BufferedRow(row, tables, collected))
        self._done(row)

    def _per_row(self, row: _Row) -> None:
        """The row through the session's own flushes in a savepoint (what the import did before the buffer)."""
        session = self.session()
        assert self._deferring is not None
        collected = Collected()
        session.autoflush = True  # every query sees the row's earlier steps, as each ``act`` of a clerk would
        try:
            with self._deferring.per_row(), session.begin_nested():
                write_row(session, self.engine, row.plan, row.actor, row.now, row.tz, row.assignee_id, collected)
        finally:
            session.autoflush = False
        collected.write(session)
        self._done(row)

    def _done(self, row: _Row) -> None:
        self.accepted.append(row)
        self.rows += 1
        if self.rows >= CHUNK_ROWS:
            self.end()

    def refused(self) -> None:
        self.rows += 1
        if self.rows >= CHUNK_ROWS:
            self.end()

    def write_out(self) -> None:
        """Insert the rows waiting in the buffer (the transaction stays open)."""
        if self._deferring is None:
            return
        try:
            self._deferring.write_held()
        except IntegrityError:
            self._redo()

    def end(self) -> None:
        if self._session is None:
            return
        session, stack = self._session, self._stack
        assert stack is not None
        try:
            with stack:
                assert self._deferring is not None
                self._deferring.write_held()
                if self.dry_run:
                    session.rollback()
                else:
                    session.commit()
        except IntegrityError:
            self._redo()
            return
        finally:
            self._session = self._stack = self._deferring = None
            self._officers = []
            self.buffer = Buffer()
        accepted, self.accepted = self.accepted, []
        for row in accepted:
            self._count(row)

    def _redo(self) -> None:
        """Another import of the same 原编号 committed first: this transaction is rolled back and each of its rows
        written again on its own, the one already there reported."""
        self.abandon_transaction()
        rows, self.accepted = self.accepted, []
        for row in rows:
            try:
                with write_session(self.engine) as session:
                    collected = Collected()
                    session.autoflush = True
                    write_row(session, self.engine, row.plan, row.actor, row.now, row.tz, row.assignee_id,
                              collected)
                    collected.write(session)
                    if self.dry_run:
                        session.rollback()
                    else:
                        session.commit()
            except IntegrityError:
                self.report.errors.append(RowError(row.plan.row, header_of(row.written, "source_no"), "原编号已存在",
                                                   "duplicate"))
                continue
            self._count(row)

    def _count(self, row: _Row) -> None:
        self.report.created += 1
        if row.plan.status == "concluded":
            self.report.concluded += 1
        else:
            self.report.open += 1

    def abandon_transaction(self) -> None:
        self.buffer = Buffer()
        self._officers = []
        self.rows = 0
        if self._stack is not None:
            stack, self._session, self._stack, self._deferring = self._stack, None, None, None
            stack.close()  # write_session rolls back what was not committed

    def abandon(self) -> None:
        self.accepted = []
        self.abandon_transaction()


def _write(chunk: _Chunk, plan: RowPlan, actor: Principal, now: datetime, tz: str, officers: _Officers,
           written: dict[str, str]) -> None:
    """One row, all of it or nothing of it; a refused row is reported at its column."""
    report = chunk.report
    assignee_id: int | None = None
    if plan.assignee and any(s.action == "assign" for s in plan.steps):
        found = officers.find(plan.assignee)
        if isinstance(found, str):
            report.errors.append(RowError(plan.row, header_of(written, "assignee"), found, "invalid_assignee"))
            return
        assignee_id = found
    try:
        chunk.write(_Row(plan, actor, now, tz, assignee_id, written))
    except RowRefused as exc:
        report.errors.append(RowError(plan.row, header_of(written, exc.column), exc.message, exc.code))
        chunk.refused()
    except IntegrityError:  # on the per-row path: another import of the same number committed first
        report.errors.append(RowError(plan.row, header_of(written, "source_no"), "原编号已存在", "duplicate"))
        chunk.refused()
