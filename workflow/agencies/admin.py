"""Saving an agency's name and settings (AgencyConfig), validated (workflow.agencies.checks), in one transaction,
with an audit row (``Event`` with ``case_kind="agency"``) naming every setting changed, before and after."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pydantic_core import PydanticCustomError
from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import write_session
from db.models import Agency
from states.policy import may_administer
from workflow.accounts.principal import Principal
from workflow.agencies.cache import invalidate
from workflow.agencies.checks import settings_problems
from workflow.agencies.config import AgencyConfig, agency_config
from workflow.agencies.held import release_held
from workflow.calendar.service import mark_agency_clocks_stale
from workflow.cases.audit import append_event
from workflow.errors import DomainValidation, Forbidden, NotFound
from workflow.inputs import clean_value
from workflow.tally.hook import agency_calendar_changing, rebuild_in

log = logging.getLogger(__name__)


def _text_problems(name: str, cfg: AgencyConfig) -> list[dict[str, str]]:
    """Every setting is printed on notices or put in e-mail headers: one line each, no control characters."""
    problems = []
    for field, value in (("name", name), *((f, getattr(cfg, f)) for f in type(cfg).model_fields)):
        try:
            clean_value(value, multi=False)
        except PydanticCustomError as exc:
            problems.append({"field": field, "code": exc.type, "message": exc.message()})
    return problems


def save_agency_settings(engine: Engine, agency_id: int, *, name: str, cfg: AgencyConfig, actor: Principal,
                         now: datetime) -> Agency:
    """Store a validated config; keys other modules keep on the row (not in AgencyConfig) are preserved."""
    with write_session(engine) as s:
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise NotFound("机关")
        name = check_settings(agency_id, name, cfg, actor, before=agency_config(agency))
        changed = save_in(s, agency, name=name, cfg=cfg, actor=actor, now=now)
        s.commit()
        invalidate(agency_id)
        log.info("agency %s settings saved by %s (%d changed)", agency.code, actor.label, changed)
        return agency


def check_settings(agency_id: int, name: str, cfg: AgencyConfig, actor: Principal, *,
                   before: AgencyConfig | None) -> str:
    """Who may save, and a name and settings that can be printed and used (workflow.agencies.checks: only the
    values that differ from ``before``, the settings in force); the name as stored. DomainValidation names every
    field that is wrong, once each."""
    if not may_administer(actor.actor, agency_id):
        raise Forbidden("您只能修改本机关的设置；其他机关请由其机关管理员或平台管理员修改")
    name = name.strip()
    problems: list[dict[str, str]] = []
    if not name or len(name) > 200:
        problems.append({"field": "name", "code": "invalid_name", "message": "机关名称不能为空且不超过200个字符"})
    problems += [p for p in _text_problems(name, cfg) if not (p["field"] == "name" and problems)]
    flagged = {p["field"] for p in problems}  # one message each: a value that cannot be printed is not used
    problems += [p for p in settings_problems(cfg, before) if p["field"].split(".")[0] not in flagged]
    if problems:
        raise DomainValidation(problems)
    return name


def save_in(s: Session, agency: Agency, *, name: str, cfg: AgencyConfig, actor: Principal, now: datetime,
            action: str = "save_settings", extra: dict[str, Any] | None = None) -> int:
    """Write name and settings in the caller's transaction, queue the documents that waited for them and audit the
    change (every setting before → after); returns how many settings changed."""
    assert agency.id is not None
    # effective values (defaults included) before and after: a default written out is not a change
    before: dict[str, Any] = {**agency_config(agency).model_dump(mode="json"), "name": agency.name}
    merged: dict[str, Any] = {**(agency.settings or {}), **cfg.model_dump(mode="json")}
    after = {**cfg.model_dump(mode="json"), "name": name}
    changed = {k: [before.get(k), after.get(k)] for k in sorted(after) if before.get(k) != after.get(k)}
    recount = agency_calendar_changing(s, agency) if "calendar_scopes" in changed else None
    agency.name = name
    agency.settings = merged
    s.add(agency)
    # Clock rows before summary rows, as every action takes them (the summaries are written last, at commit).
    if {"calendar_scopes", "timezone"} & changed.keys():  # the days and instants its deadlines count by
        mark_agency_clocks_stale(s, agency.id)
    if "timezone" in changed:  # the summaries count days in the agency's zone: counted again in the new one
        rebuild_in(s, agency.id)
    elif recount is not None:  # its own holiday arrangements: the replies' working days counted again
        recount()
    released = release_held(s, agency, cfg, now)  # the documents that waited for these settings
    if changed or released or extra:
        payload: dict[str, Any] = {"changed": changed, **(extra or {})}
        if released:
            payload["released_documents"] = released
        append_event(s, agency_id=agency.id, case_kind="agency", case_id=agency.id, actor=actor, action=action,
                     from_state=None, to_state=None, payload=payload, now=now)
    return len(changed)
