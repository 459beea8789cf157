"""What the front desk prints after registering an application: the 登记回执 (条例第三十一条 receipt date, the
条例第三十三条 reply period, the clerk who registered it and the day), read in one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.engine import read_session
from db.models import Agency, Disclosure, User
from workflow.calendar.service import agency_calendar
from workflow.cases.clocks import case_clocks
from workflow.disclosure.context import KIND
from workflow.errors import NotFound
from workflow.runtime import Engine
from workflow.timesource import local_date


@dataclass(frozen=True)
class Receipt:
    id: int
    tracking_no: str
    applicant_name: str
    description: str
    channel: str
    oral: bool  # 条例第二十九条: 口头提出，代为填写
    receipt_date: date | None
    reply_due: date | None
    provisional: bool  # the reply deadline falls in a year whose holiday arrangements are not published yet
    rolled: bool  # received on a rest day: counted from the next working day
    late_days: int | None  # back-dated: working days the reply period had run out by the registration (0: due today)
    registered_date: date | None  # the day it was registered: the receipt's date, as on the PDF 接收回执
    registrar: str  # the clerk who registered it (not whoever prints the page); "" if not recorded (an import)


def receipt(engine: Engine, case_id: int, *, agency_id: int, tz: str) -> Receipt:
    """The receipt of a registered application of ``agency_id`` (NotFound otherwise)."""
    with read_session(engine) as s:
        row = s.get(Disclosure, case_id)
        if row is None or row.agency_id != agency_id or row.tracking_no is None:
            raise NotFound("申请")
        reply = {c.kind: c for c in case_clocks(s, KIND, case_id)}.get("reply")  # the latest cycle
        registered = local_date(row.registered_at, tz) if row.registered_at else None
        clerk = s.get(User, row.registered_by) if row.registered_by is not None else None
        late_days = None  # a back-dated receipt whose reply period had run out by the registration: said at once
        if reply is not None and reply.due_date is not None and registered is not None and reply.due_date <= registered:
            agency = s.get(Agency, agency_id)
            assert agency is not None
            late_days = agency_calendar(s, agency).workdays_between(reply.due_date, registered)
    return Receipt(
        row.id or 0, row.tracking_no, row.applicant_name, row.description, row.channel, row.oral, row.receipt_date,
        reply.due_date if reply else None, bool(reply and reply.provisional),
        bool(reply and reply.explanation and "顺延" in str(reply.explanation.get("base_reason", ""))), late_days,
        registered, clerk.display_name if clerk is not None else "")
