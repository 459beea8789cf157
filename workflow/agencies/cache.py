"""A short-lived per-process cache of (agency, its config, its calendar) for hot read paths.

Registration needs the agency's settings and working calendar for every request; reading them costs
two queries and a settings validation. They change rarely, so they are kept for a few seconds. A
stale calendar is harmless: every clock stores the calendar version it was computed with, and the
recompute sweep brings older ones up to date.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine

from db.engine import read_session
from db.models import Agency
from states.calendar import WorkCalendar
from workflow.agencies.config import AgencyConfig, agency_config
from workflow.calendar.service import agency_calendar
from workflow.errors import NotFound

TTL_SECONDS = 5.0


@dataclass(frozen=True)
class AgencyContext:
    agency: Agency
    cfg: AgencyConfig
    cal: WorkCalendar


_cache: dict[tuple[str, int], tuple[float, AgencyContext]] = {}
_lock = threading.Lock()


def agency_context_cached(engine: Engine, agency_id: int, ttl: float = TTL_SECONDS) -> AgencyContext:
    key = (str(engine.url), agency_id)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    with read_session(engine) as s:
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise NotFound("机关")
        ctx = AgencyContext(agency, agency_config(agency), agency_calendar(s, agency))
    with _lock:
        _cache[key] = (now + ttl, ctx)
    return ctx


def invalidate(agency_id: int | None = None) -> None:
    """Forget cached agencies (after settings are saved or a calendar is imported in this process)."""
    with _lock:
        if agency_id is None:
            _cache.clear()
        else:
            for k in [k for k in _cache if k[1] == agency_id]:
                del _cache[k]
