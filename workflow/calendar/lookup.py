"""The working calendar a deadline computation asks for: the national one, or an agency's with its local
arrangements (the API's ``/api/calendar/add-workdays``). Read-only."""

from __future__ import annotations

from sqlmodel import select

from db.engine import read_session
from db.models import Agency
from states.calendar import WorkCalendar
from workflow.calendar.service import agency_calendar, load_calendar
from workflow.errors import NotFound
from workflow.runtime import Engine


def calendar_for(engine: Engine, agency_code: str | None = None) -> WorkCalendar:
    """The national calendar, or (``agency_code``) that agency's; NotFound (机关不存在) for an unknown code."""
    with read_session(engine) as s:
        if not agency_code:
            return load_calendar(s)
        agency = s.exec(select(Agency).where(Agency.code == agency_code)).first()
        if agency is None:
            raise NotFound("机关")
        return agency_calendar(s, agency)
