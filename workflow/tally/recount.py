"""The summaries' working days follow the calendar. ``wd`` counts, for each reply, the working days from receipt to
reply by the agency's calendar as it stood when the reply was made. A holiday notice imported (or seeded) for days
some replies already span changes those counts: each agency whose calendar reads the notice's scope has its replies
counted again over the days whose working status changed — in the import's transaction, one grouped query for all
agencies, nothing to do when no reply spans a changed day (a notice for a coming year). The listener that does it is
registered with the flush hook (workflow.tally.hook)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, SQLModel, func, select

import db.models  # noqa: F401  (registers the tables)
from db.models import Agency
from states.calendar import WorkCalendar
from states.vocab import CaseKindName
from workflow.agencies.config import calendar_scopes
from workflow.calendar.service import agency_calendar
from workflow.tally.contrib import Delta, key
from workflow.tally.rebuild import counted_replies

D = SQLModel.metadata.tables["disclosure"]
_KIND = CaseKindName.DISCLOSURE.value


def calendars(session: Session, scopes: Iterable[str]) -> dict[int, tuple[Agency, WorkCalendar]]:
    """Each agency whose calendar reads one of ``scopes``, with its calendar as it stands."""
    wanted = set(scopes)
    return {int(a.id): (a, agency_calendar(session, a)) for a in session.exec(select(Agency))
            if a.id is not None and wanted & set(calendar_scopes(a))}


def working_days_delta(session: Session, before: dict[int, tuple[Agency, WorkCalendar]]) -> Delta:
    """What the calendars' change (``before``: ``calendars`` as they stood) moves in the replies' working days."""
    changed: dict[int, list[tuple[date, int]]] = {}
    for agency_id, (agency, old) in before.items():
        days = [(d, 1 if working else -1) for d, working in agency_calendar(session, agency).changed_days(old)]
        if days:
            changed[agency_id] = days
    delta: Delta = Counter()
    if not changed:
        return delta
    first = min(d for days in changed.values() for d, _ in days)
    last = max(d for days in changed.values() for d, _ in days)
    c = D.c  # the replies the summaries count that span a changed day
    q = (select(c.agency_id, c.receipt_date, c.concluded_date, func.count())
         .where(c.agency_id.in_(sorted(changed)), *counted_replies(c), c.receipt_date < last, c.concluded_date >= first)
         .group_by(c.agency_id, c.receipt_date, c.concluded_date))
    for agency_id, received, concluded, n in session.connection().execute(q):
        moved = sum(sign for d, sign in changed[agency_id] if received < d <= concluded)
        if moved:
            delta[(key(agency_id, _KIND, "d", concluded), "wd")] += moved * n
    return delta
