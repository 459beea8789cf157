"""Saving an agency's name and settings (AgencyConfig), validated, in one transaction."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from db.engine import write_session
from db.models import Agency
from workflow.agency import AgencyConfig
from workflow.agency_cache import invalidate
from workflow.errors import DomainValidation, NotFound

log = logging.getLogger(__name__)


def save_agency_settings(engine: Engine, agency_id: int, *, name: str, cfg: AgencyConfig, actor_label: str) -> Agency:
    """Store a validated config; keys other modules keep on the row (not in AgencyConfig) are preserved."""
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainValidation.one("name", "invalid_name", "机关名称不能为空且不超过200个字符")
    with write_session(engine) as s:
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise NotFound("机关")
        merged: dict[str, Any] = {**(agency.settings or {}), **cfg.model_dump(mode="json")}
        agency.name = name
        agency.settings = merged
        s.add(agency)
        s.commit()
        invalidate(agency_id)
        log.info("agency %s settings saved by %s", agency.code, actor_label)
        return agency
