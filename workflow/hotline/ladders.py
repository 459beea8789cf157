"""Which 12345 ladder applies to which work orders, for the set-based sweeps (the work order's
``CaseKind.reminder_ladders`` and ``escalation_ladders``).

A work order's escalation ladder (催办/督办 steps) and reminder rungs come from its time-limit profile (the
``profile_code`` it was received under) for its category × urgency, after the
agency's ``hotline_overrides`` (docs/hotline-profiles.md). The sweeps select clocks with indexed range queries,
so the cells are grouped by ladder: one group per distinct ladder, each with an SQL condition naming its
orders. The shipped profiles share one ladder, so usually there is one group and no condition at all.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import select, tuple_

from db.models import Clock, WorkOrder
from states.hotline import Category, Urgency
from states.hotline_profiles import ProfileError, ResolvedLimits, resolve
from workflow.agencies.config import AgencyConfig, rungs
from workflow.hotline import profiles as hotline_profiles_io
from workflow.hotline.context import cached_profile

CLOCKS = Clock.__table__  # type: ignore[attr-defined]
WORKORDERS = WorkOrder.__table__  # type: ignore[attr-defined]

K = TypeVar("K", bound=Hashable)
CellKey = tuple[str, str, str]  # (profile code, category, urgency)


@dataclass(frozen=True)
class LadderGroup(Generic[K]):
    """Work orders whose cells share ``ladder``; ``where`` restricts clock rows to them (None: every order)."""

    ladder: K
    where: Any = field(default=None, compare=False)


@functools.lru_cache(maxsize=1)
def profile_codes() -> tuple[str, ...]:
    """The profiles on disk (read once per process, like the profiles themselves)."""
    return hotline_profiles_io.profile_codes()


@functools.lru_cache(maxsize=64)
def _cells(overrides_json: str) -> tuple[tuple[CellKey, ResolvedLimits], ...]:
    overrides = json.loads(overrides_json)
    out = []
    for code in profile_codes():
        try:
            profile = cached_profile(code)
            out += [((code, c.value, u.value), resolve(profile, c.value, u.value, overrides))
                    for c in Category for u in Urgency]
        except ProfileError:  # a broken file or override: its orders fall to the largest group
            continue
    return tuple(out)


def cells(cfg: AgencyConfig) -> tuple[tuple[CellKey, ResolvedLimits], ...]:
    """Every (profile, category, urgency) cell with its limits after the agency's overrides."""
    return _cells(json.dumps(cfg.hotline_overrides, sort_keys=True, ensure_ascii=False, default=str))


def workorder_groups(cfg: AgencyConfig, agency_id: int, pick: Callable[[ResolvedLimits], K]) -> list[LadderGroup[K]]:
    """The agency's work-order cells grouped by ``pick(limits)`` (e.g. the escalation ladder).

    One group: no condition. Several: each names its cells, except the largest, which takes every order
    the others do not name (so an order of a profile that no longer loads is still swept).
    """
    by: dict[K, list[CellKey]] = {}
    for key, lim in cells(cfg):
        by.setdefault(pick(lim), []).append(key)
    if len(by) <= 1:
        return [LadderGroup(k) for k in by]
    rest = max(by, key=lambda k: len(by[k]))
    w = WORKORDERS.c
    cell = tuple_(w.profile_code, w.category, w.urgency)

    def orders(cond: Any) -> Any:
        return CLOCKS.c.case_id.in_(select(w.id).where(w.agency_id == agency_id, cond))

    others = [c for k, v in by.items() if k != rest for c in v]
    return [LadderGroup(k, orders(~cell.in_(others)) if k == rest else orders(cell.in_(v))) for k, v in by.items()]


def reminder_ladders(cfg: AgencyConfig, agency_id: int) -> list[tuple[tuple[int, ...], Any]]:
    """The reminder rungs of the agency's work orders, by profile cell (none when no profile loads)."""
    return [(g.ladder, g.where) for g in workorder_groups(cfg, agency_id, lambda lim: rungs(lim.reminders))]


def escalation_ladders(cfg: AgencyConfig, agency_id: int) -> list[tuple[tuple[tuple[str, int], ...], Any]]:
    """The 催办/督办 steps of the agency's work orders, by profile cell (none when no profile loads)."""
    return [(tuple((s.action, s.after_wd) for s in g.ladder), g.where)
            for g in workorder_groups(cfg, agency_id, lambda lim: lim.escalation)]


__all__ = ["LadderGroup", "cells", "escalation_ladders", "profile_codes", "reminder_ladders", "workorder_groups"]
