"""A test-only third request kind — a petition (信访事项, 信访工作条例 2022) reduced to three states and one
clock — built the way docs/architecture.md says a kind is added: a transition table, handlers, payloads and a
descriptor, and nothing in the shared engine, API, pages or sweeps. Its table lives in its own metadata (never in
the migrations); the descriptor is registered only while a test uses it (``registered``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field as SField
from sqlmodel import Session, SQLModel

from states.formats import mask_phone
from states.machine import SAME, StateMachine, Transition
from states.roles import Role
from states.vocab import ClockStatus
from workflow.accounts.principal import Principal
from workflow.cases import engine as case_engine
from workflow.cases.clocks import ClockKind, case_clocks, get_clock, start_clock, stop_clock
from workflow.cases.context import CaseCtx
from workflow.cases.kind import CaseKind, CaseList, CasePage, Shown, register, unregister


class _Own(SQLModel, registry=registry()):
    pass


class Petition(_Own, table=True):
    __tablename__ = "petition_test"
    id: int | None = SField(default=None, primary_key=True)
    agency_id: int
    version: int = 1
    state: str = "received"
    petition_no: str = ""
    petitioner: str
    phone: str = ""
    content: str = ""
    assignee_id: int | None = None
    answer: str = ""
    next_due_at: datetime | None = None
    overdue_level: int = 0  # written by the escalation sweep (lists read it)
    updated_at: datetime | None = None


class PState(StrEnum):
    RECEIVED = "received"
    HANDLING = "handling"
    ANSWERED = "answered"


LABELS = {"assign": "交办", "note": "记录办理情况", "answer": "出具处理意见"}
OF, FD, LD = Role.OFFICER, Role.FRONT_DESK, Role.LEADER
TABLE = (
    Transition("assign", (PState.RECEIVED,), PState.HANDLING, frozenset({FD, LD}), LABELS["assign"]),
    Transition("note", (PState.HANDLING,), SAME, frozenset({OF}), LABELS["note"]),
    # 信访工作条例第三十二条: a written answer within 60 days (here: only that the answer has text)
    Transition("answer", (PState.HANDLING,), PState.ANSWERED, frozenset({OF}), LABELS["answer"]),
)
MACHINE = StateMachine("petition", [s.value for s in PState], PState.RECEIVED, TABLE)
# 信访工作条例第三十二条: handled within 60 days of acceptance — here, for the test, 15 working days from the assignment
CLOCKS = {"petition_reply": ClockKind("信访事项办理期限", duty=True)}
REPLY_WD = 15


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: int


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500)


PAYLOADS: dict[str, type[BaseModel]] = {"assign": AssignIn, "note": NoteIn, "answer": NoteIn}


@dataclass
class Ctx(CaseCtx):
    row: Petition


def _assign(ctx: Ctx, p: BaseModel) -> None:
    assert isinstance(p, AssignIn)
    ctx.row.assignee_id = p.assignee_id
    start_clock(ctx.session, agency_id=ctx.row.agency_id, case_kind="petition", case_id=ctx.case_id,
                kind="petition_reply", base=ctx.today, amount=REPLY_WD, cal=ctx.cal, now=ctx.now, tz=ctx.tz,
                assignee_id=p.assignee_id, base_reason="交办之日")


def _note(ctx: Ctx, p: BaseModel) -> None:
    ctx.result["noted"] = True


def _answer(ctx: Ctx, p: BaseModel) -> None:
    assert isinstance(p, NoteIn)
    ctx.row.answer = p.text
    clock = get_clock(ctx.session, "petition", ctx.case_id, "petition_reply")
    if clock is not None:
        stop_clock(clock, status=ClockStatus.MET, now=ctx.now)


def _refresh(ctx: Ctx) -> None:
    running = [c.due_at for c in case_clocks(ctx.session, "petition", ctx.case_id)
               if c.status == ClockStatus.RUNNING and c.due_at is not None]
    ctx.row.next_due_at = min(running, default=None)


def _parse(ctx: Ctx, action: str, raw: Mapping[str, Any] | None) -> BaseModel:
    return PAYLOADS[action].model_validate(dict(raw or {}))


# the shared case page: the record's lines, the state labels, the forms' labels (the forms are the payload models)
PAGE = CasePage(
    record=(Shown("petition_no", "信访事项编号"), Shown("petitioner", "信访人"),
            Shown("phone", "联系电话", mask=mask_phone), Shown("content", "信访事项"), Shown("answer", "处理意见")),
    forms=PAYLOADS, state_labels={"received": "已登记", "handling": "办理中", "answered": "已出具处理意见"},
    field_labels={"assignee_id": "承办人", "text": "内容"}, confirm={"answer": "确认出具处理意见？出具后不能再修改。"},
    uploads={"material": ("信访材料", False)},
)
# the case lists (我的案件, 案件查询) and the caseload: what a row shows; no units, no receipt date, no identity number
LISTING = CaseList(label="信访事项", state_labels=PAGE.state_labels, open_states=(PState.RECEIVED, PState.HANDLING),
                   search=("petition_no", "petitioner", "content"), applicant="petitioner", phone="phone")
PETITION = CaseKind(
    name="petition", noun="信访事项", table=Petition, machine=MACHINE, labels=LABELS, make_ctx=Ctx,
    facts=lambda ctx: {}, parse=_parse, handlers={"assign": _assign, "note": _note, "answer": _answer},
    refresh=_refresh, clocks=CLOCKS, title="信访事项", ref_number=("petition_no",), ref_summary=("content",),
    page=PAGE, listing=LISTING,
)


@contextmanager
def registered(engine: Engine) -> Iterator[CaseKind]:
    """The kind registered and its table created for one test; both gone afterwards (a worker's PostgreSQL
    database and the process's registry outlive the test)."""
    create_table(engine)
    register(PETITION)
    try:
        yield PETITION
    finally:
        unregister(PETITION.name)
        drop_table(engine)


def create_table(engine: Engine) -> None:
    _Own.metadata.create_all(engine)


def drop_table(engine: Engine) -> None:
    _Own.metadata.drop_all(engine)


def new_petition(engine: Engine, agency_id: int, name: str = "王五", phone: str = "13912345678") -> int:
    with Session(engine) as s:
        p = Petition(agency_id=agency_id, petitioner=name, phone=phone, petition_no="信2026-0001",
                     content="反映小区门前道路积水长期未治理")
        s.add(p)
        s.commit()
        assert p.id is not None
        return p.id


def get_detail(session: Session, case_id: int, actor: Principal, *, now: datetime) -> dict[str, Any]:
    """The kind's view: what the policy lets the actor see."""
    row, seen = case_engine.load_for_reading(session, PETITION, case_id, actor)
    ctx = case_engine.open_ctx(session, PETITION, row, actor, now)
    full = seen == "full"
    return {"id": row.id, "state": row.state, "version": row.version, "petitioner": row.petitioner,
            "phone": row.phone if full else row.phone[:3] + "****" + row.phone[-4:], "answer": row.answer,
            "allowed_actions": [{"action": a, "label": LABELS[a]}
                                for a in case_engine.allowed_actions(PETITION, ctx)]}
