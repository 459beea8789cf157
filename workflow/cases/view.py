"""A case of any kind as the shared case page shows it, built from the kind's descriptor (``CaseKind.page``: the
record's columns and labels) under the one policy: the row, its state, clocks, timeline, files and the actions the
reader may take now — with no code of the kind's own. Disclosure and 12345 have pages of their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import Event, StoredFile, User
from notifications.catalog import CATALOG
from states.policy import Sight
from workflow.accounts.principal import Principal
from workflow.cases.clocks import case_clocks, clock_view, soon_until
from workflow.cases.engine import allowed_actions, load_for_reading, open_ctx, unavailable_actions
from workflow.cases.files import may_attach
from workflow.cases.form_choices import FormChoices, form_choices
from workflow.cases.kind import CaseKind
from workflow.errors import NotFound
from workflow.runtime import Engine


@dataclass(frozen=True)
class RecordLine:
    label: str
    value: str


@dataclass(frozen=True)
class ActionRef:
    action: str
    label: str


@dataclass(frozen=True)
class TimelineEntry:
    action: str
    label: str
    actor: str
    at: str  # ISO instant
    payload: dict[str, Any]


@dataclass(frozen=True)
class CaseFile:
    id: int
    filename: str
    content_type: str
    size: int
    kind_label: str  # the notice's title, or the upload category's label


@dataclass(frozen=True)
class CaseView:
    """What the reader may see of one case, and do with it now."""

    kind: str
    kind_label: str
    id: int
    version: int
    state: str
    state_label: str
    number: str
    assignee: str | None
    record: list[RecordLine]
    clocks: list[dict[str, Any]]  # workflow.cases.clocks.clock_view, with urgency
    timezone: str
    allowed_actions: list[ActionRef]
    unavailable_actions: list[dict[str, str]]
    events: list[TimelineEntry]
    files: list[CaseFile]  # none unless the reader sees the case in full
    may_upload: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def view_in(session: Session, kind: CaseKind, case_id: int, actor: Principal, *, now: datetime) -> CaseView:
    """The case as ``actor`` may see it (NotFound across agencies, Forbidden when the policy says none)."""
    if kind.page is None:
        raise NotFound(kind.noun)
    page = kind.page
    row, seen = load_for_reading(session, kind, case_id, actor)
    ctx = open_ctx(session, kind, row, actor, now)
    full = seen == Sight.FULL
    record = [RecordLine(s.label, s.mask(getattr(row, s.name)) if s.mask and not full else _text(getattr(row, s.name)))
              for s in page.record]
    assignee = session.get(User, row.assignee_id) if row.assignee_id else None
    events = session.exec(select(Event).where(col(Event.case_kind) == kind.name, col(Event.case_id) == case_id)
                          .order_by(col(Event.id))).all()
    files = session.exec(select(StoredFile).where(col(StoredFile.case_kind) == kind.name,
                                                  col(StoredFile.case_id) == case_id)
                         .order_by(col(StoredFile.id))).all() if full else []
    steps = {"urge": "催办", "supervise": "督办", "attach": "上传材料", "document": "生成文书",
             "recompute": "日历变更，重新计算期限"}
    return CaseView(
        kind=kind.name, kind_label=kind.label(), id=ctx.case_id, version=row.version, state=row.state,
        state_label=page.state_labels.get(row.state, row.state),
        number=kind.number(row),
        assignee=assignee.display_name if assignee is not None else None, record=record,
        clocks=[clock_view(c, now, soon_until(ctx.cal, ctx.today)) for c in case_clocks(session, kind.name, case_id)],
        timezone=ctx.tz,
        allowed_actions=[ActionRef(a, kind.labels.get(a, a)) for a in allowed_actions(kind, ctx)],
        unavailable_actions=unavailable_actions(kind, ctx),
        events=[TimelineEntry(e.action, kind.labels.get(e.action) or steps.get(e.action, e.action), e.actor_label,
                              e.created_at.isoformat(), dict(e.payload or {})) for e in events],
        files=[CaseFile(f.id or 0, f.filename, f.content_type, f.size, _file_label(kind, f)) for f in files],
        may_upload=bool(page.uploads) and may_attach(actor, row))


def _file_label(kind: CaseKind, f: StoredFile) -> str:
    spec = CATALOG.get(str(f.notice_type or ""))
    if spec is not None:
        return spec.title_zh
    assert kind.page is not None
    return kind.page.uploads.get(str(f.category), (str(f.category or ""), False))[0]


@dataclass(frozen=True)
class CasePageView:
    """The shared case page: the case as the reader may see it and what its action forms offer (officers)."""

    view: CaseView
    choices: FormChoices


def case_view(engine: Engine, kind: CaseKind, case_id: int, actor: Principal, *, now: datetime) -> CasePageView:
    """``view_in`` and its forms' choices (in the reader's agency) in one read session, for the pages."""
    forms = kind.page.forms if kind.page is not None else {}
    with read_session(engine) as s:
        v = view_in(s, kind, case_id, actor, now=now)
        return CasePageView(v, form_choices(s, actor.agency_id,
                                            (forms[a.action] for a in v.allowed_actions if a.action in forms)))


Detail = Callable[..., dict[str, Any]]  # (session, case_id, actor, *, now) → the case as the actor may see it


def read_detail(engine: Engine, detail: Detail, case_id: int, actor: Principal, *, now: datetime) -> dict[str, Any]:
    """A kind's detail (its own, or ``case_detail``) in one read session, for the API."""
    with read_session(engine) as s:
        return detail(s, case_id, actor, now=now)


def case_detail(kind: CaseKind) -> Detail:
    """The API's detail of a kind with a shared case page: ``(session, case_id, actor, *, now) → dict``."""

    def detail(session: Session, case_id: int, actor: Principal, *, now: datetime) -> dict[str, Any]:
        return view_in(session, kind, case_id, actor, now=now).as_dict()

    return detail


__all__ = ["ActionRef", "CaseFile", "CasePageView", "CaseView", "Detail", "RecordLine", "TimelineEntry", "case_detail", "case_view",
           "read_detail", "view_in"]
