"""An agency as the pages hold it: a detached, typed view (no database row), read through the agency cache."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from db.models import Agency
from workflow.agencies.cache import agency_context_cached
from workflow.agencies.config import AgencyConfig
from workflow.runtime import Engine


@dataclass(frozen=True)
class AgencyInfo:
    """Who the agency is, and its stored settings (read-only; ``agency_config`` parses them, ``calendar_scopes``
    and ``agency_calendar`` take this as they take the row)."""

    id: int
    code: str
    name: str
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, a: Agency) -> AgencyInfo:
        assert a.id is not None
        return cls(a.id, a.code, a.name, MappingProxyType(dict(a.settings or {})))


def agency_info(engine: Engine, agency_id: int) -> tuple[AgencyInfo, AgencyConfig]:
    """The agency and its parsed settings, from the process-wide agency cache (no query on most requests);
    NotFound for an unknown id."""
    actx = agency_context_cached(engine, agency_id)
    return AgencyInfo.of(actx.agency), actx.cfg
