"""The summaries move in the same transaction as the rows that move them: before every ORM flush, each new, changed
or deleted application, 12345 order and disclosure reply clock adds its contribution after the change and subtracts
the one before it (workflow.tally.contrib). Every action of every kind (workflow.cases.engine), the scheduler's
lapses, registrations, imports and back-filled steps flush their rows through a Session, so one hook sees them all;
the Core bulk inserts of new rows (registration's hot path, the 12345 batch import, the go-live import's chunks) call
``add_inserted`` / ``add_inserted_many``.
Core UPDATEs of the sweeps touch only columns no summary reads (reminder rungs, overdue levels, next deadlines).

A transaction's deltas are summed as it goes and written once, when it commits (``before_commit``), in key order:
two transactions then take the summary rows they share in the same order whatever their flushes did in between (a
write per flush could lock key A, then B, in one transaction while another locked B, then A: a deadlock on
PostgreSQL). A rollback drops the sum. Inside a savepoint the flush's delta is written at once, so that rolling the
savepoint back takes its delta back with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import event, inspect, select
from sqlmodel import Session

from db.models import Agency, Clock, Disclosure, WorkOrder
from workflow.agencies.config import agency_config
from workflow.calendar.service import agency_calendar, on_calendar_change
from workflow.tally import contrib, recount, store
from workflow.tally.contrib import CLOCK_FIELDS, DISCLOSURE_FIELDS, WORKORDER_FIELDS, Delta, TzOf, Workdays
from workflow.tally.rebuild import DEFAULT_TZ, rebuild_connection, workdays_by, zones

FIELDS: dict[type, tuple[str, ...]] = {Disclosure: DISCLOSURE_FIELDS, WorkOrder: WORKORDER_FIELDS,
                                       Clock: CLOCK_FIELDS}


def _zones(session: Session) -> TzOf:
    """The agencies' time zones, each looked up once per flush."""
    seen: dict[int, str] = {}

    def tz_of(agency_id: int) -> str:
        if agency_id not in seen:
            with session.no_autoflush:
                agency = session.get(Agency, agency_id)
            seen[agency_id] = agency_config(agency).timezone if agency is not None else DEFAULT_TZ
        return seen[agency_id]
    return tz_of


def contribute(model: type, values: Mapping[str, Any], out: Delta, tz_of: TzOf, workdays: Workdays,
               sign: int = 1) -> None:
    if model is Disclosure:
        contrib.disclosure(values, out, workdays, sign)
    elif model is WorkOrder:
        contrib.workorder(values, out, tz_of, sign)
    else:
        contrib.clock(values, out, tz_of, sign)


def _current(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _before(session: Session, obj: Any, fields: tuple[str, ...]) -> dict[str, Any] | None:
    """The values the database holds for ``obj`` (its state before this flush); None when it has none."""
    st = inspect(obj)
    if st.key is None:
        return None
    out: dict[str, Any] = {}
    unknown = False
    for f in fields:
        h = st.attrs[f].history
        if h.deleted:
            out[f] = h.deleted[0]
        elif h.added:  # set without the old value loaded: read it (the row is unchanged until this flush)
            unknown = True
        elif h.unchanged:
            out[f] = h.unchanged[0]
        else:
            unknown = True
    if unknown:
        table = type(obj).__table__
        with session.no_autoflush:
            row = session.connection().execute(select(*[table.c[f] for f in fields])
                                               .where(table.c.id == st.identity[0])).first()
        if row is None:
            return None
        return dict(zip(fields, row, strict=True))
    return out


def _changed(session: Session, objs: Iterable[Any], sign_old: int, sign_new: int, out: Delta, tz_of: TzOf,
             workdays: Workdays) -> None:
    for obj in objs:
        fields = FIELDS.get(type(obj))
        if fields is None:
            continue
        if type(obj) is Clock and not (contrib.counts(_current(obj, CLOCK_FIELDS)) or _was_counted(obj)):
            continue  # most clock changes (reminders, pauses, other kinds) touch no summary
        if sign_old:
            old = _before(session, obj, fields)
            if old is not None:
                contribute(type(obj), old, out, tz_of, workdays, sign_old)
        if sign_new:
            contribute(type(obj), _current(obj, fields), out, tz_of, workdays, sign_new)


def _was_counted(obj: Any) -> bool:
    st = inspect(obj)
    if st.key is None:
        return False
    status = st.attrs["status"].history
    old = status.deleted[0] if status.deleted else obj.status
    return bool(old == "met" and obj.case_kind == "disclosure" and obj.kind == "reply")


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    delta: Delta = Counter()
    tz_of, workdays = _zones(session), workdays_by(session)
    _changed(session, session.new, 0, 1, delta, tz_of, workdays)
    _changed(session, [o for o in session.dirty if session.is_modified(o)], -1, 1, delta, tz_of, workdays)
    _changed(session, session.deleted, -1, 0, delta, tz_of, workdays)
    keep_delta(session, delta)


def keep_delta(session: Session, delta: Delta) -> None:
    """Add ``delta`` to the transaction's sum (written when it commits), or write it now inside a savepoint."""
    if not any(delta.values()):
        return
    if session.in_nested_transaction():
        store.add(session.connection(), delta)
    else:
        session.info.setdefault(_PENDING, Counter()).update(delta)


def _before_commit(session: Session) -> None:
    """The transaction's summed deltas, written once (its last changes flushed first: the commit's own flush comes
    after this event)."""
    session.flush()
    delta = session.info.pop(_PENDING, None)
    if delta:
        store.add(session.connection(), delta)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # committed (written, above) or rolled back: nothing is carried over
        session.info.pop(_PENDING, None)


def add_inserted(session: Session, model: type, rows: Iterable[Mapping[str, Any]]) -> None:
    """New cases written with Core (``model``: Disclosure or WorkOrder; ``rows``: their inserted values) inside
    ``session``'s transaction."""
    add_inserted_many(session, [(model, rows)])


def add_inserted_many(session: Session, batches: Iterable[tuple[type, Iterable[Mapping[str, Any]]]]) -> None:
    """Rows of several kinds written with Core (Disclosure, WorkOrder, Clock) inside ``session``'s transaction,
    added to its sum as a flush's are."""
    delta: Delta = Counter()
    conn = session.connection()
    tz_of, workdays = zones(conn), workdays_by(session)
    for model, rows in batches:
        fields = FIELDS[model]
        for r in rows:
            contribute(model, {f: r.get(f) for f in fields}, delta, tz_of, workdays)
    keep_delta(session, delta)


def rebuild_in(session: Session, agency_id: int) -> None:
    """The agency's summaries recomputed in the session's transaction (a setting that decides how they count has
    changed: its time zone). What the transaction changed so far is flushed and counted by the rebuild, so it is not
    added again when the transaction commits."""
    session.flush()
    pending: Delta | None = session.info.get(_PENDING)
    if pending:
        for k in [k for k in pending if k[0][0] == agency_id]:
            del pending[k]
    rebuild_connection(session.connection(), agency_id)


def agency_calendar_changing(session: Session, agency: Agency) -> Callable[[], None]:
    """Called before the agency's own calendar changes (the local arrangements it applies): the function returned,
    called once the agency's settings are changed, counts its replies' working days again."""
    assert agency.id is not None
    before = {int(agency.id): (agency, agency_calendar(session, agency))}
    return lambda: keep_delta(session, recount.working_days_delta(session, before))


class _CountedByCalendar:
    """The replies' working days counted again when the calendar changes (workflow.tally.recount)."""

    def before(self, session: Session, scopes: Iterable[str]) -> Any:
        return recount.calendars(session, scopes)

    def after(self, session: Session, state: Any) -> None:
        keep_delta(session, recount.working_days_delta(session, state))


_PENDING = "banli.tally.pending"  # session.info: the transaction's summed delta, not yet written
event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_transaction_end", _after_transaction_end)
on_calendar_change(_CountedByCalendar())
