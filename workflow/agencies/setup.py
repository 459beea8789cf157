"""Setting up an agency for real (the first run, or ``banli setup FILE.yaml``): its true name and code, seal text,
address and phone for notices, reconsideration organ and court, working hours, 12345 profile and document-number
formats — in one transaction, audited, releasing the documents that waited for them (workflow.agencies.held).

The form proposes what it can: the remedy bodies from the hierarchy (行政复议法第二十四条), the seal text from the
name, the number formats already in force.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, update
from sqlmodel import col, select

from db.engine import read_session, serialize, write_session
from db.models import Agency, CalendarDay, CalendarNotice
from states.agencies import RemedyProposal, code_problem
from states.wording import ZONE_LABELS, ZONE_NOTES
from workflow.accounts.principal import Principal
from workflow.agencies.admin import check_settings, save_in
from workflow.agencies.cache import invalidate
from workflow.agencies.completeness import PLACEHOLDER_NAME, Missing, missing_notice_settings
from workflow.agencies.config import NUMBER_FIELDS, AgencyConfig, agency_config
from workflow.agencies.registry import remedy_proposal
from workflow.errors import Conflict, DomainValidation, NotFound
from workflow.hotline.profiles import load_profiles

log = logging.getLogger(__name__)

NUMBER_LABELS = {"tracking_format": "申请登记编号", "reply_doc_format": "答复书文号", "notice_doc_format": "告知书文号",
                 "submission_format": "网上申请编号"}
TIMEZONES = {tz: f"{label}（{ZONE_NOTES[tz]}）" for tz, label in ZONE_LABELS.items()}  # the settings' choices
PROFILE_STATUS = {"official": "依据正式文件", "confirmed": "依据正式文件", "secondary": "依据公开报道，尚未核对正式文本",
                  "derived": "推导值，请按本地规定核对", "unconfirmed": "尚未核实，请按本地规定核对"}
_URL = re.compile(r"https?://\S+")
_ASCII_NOTE = re.compile(r"\s*\([A-Za-z ]+\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SetupIn(BaseModel):
    """What the first-run page and ``banli setup`` ask for (settings not named keep their values)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)
    code: str | None = Field(None, max_length=64)
    seal_text: str = Field("", max_length=200)
    office_name: str = Field("", max_length=200)
    address: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=10)
    phone: str = Field("", max_length=60)
    email: str = Field("", max_length=254)
    office_hours: str | None = Field(None, max_length=200)
    reconsideration_organ: str = Field("", max_length=200)
    litigation_court: str = Field("", max_length=200)
    morning: tuple[str, str] | None = None  # ("09:00", "12:00")
    afternoon: tuple[str, str] | None = None
    timezone: str | None = None
    hotline_profile: str | None = None
    tracking_format: str | None = None
    reply_doc_format: str | None = None
    notice_doc_format: str | None = None
    submission_format: str | None = None


@dataclass(frozen=True)
class ProfileChoice:
    code: str
    name: str
    basis: str  # where its numbers come from, in Chinese


def profile_choices() -> list[ProfileChoice]:
    """The 12345 time-limit profiles by their Chinese names, each with its source in plain Chinese."""
    out = []
    for code, p in sorted(load_profiles().items(), key=lambda kv: kv[1].name):
        parts = [_ASCII_NOTE.sub("", _URL.sub("", part)).strip() for part in p.source.split(";")]
        source = "；".join(x for x in parts if _CJK.search(x))
        status = PROFILE_STATUS.get(p.status, "请按本地规定核对")
        out.append(ProfileChoice(code, p.name, f"{status}" + (f"（{source}）" if source else "")))
    return out


@dataclass(frozen=True)
class SetupView:
    """The form's starting values, with what the hierarchy proposes and what is still missing."""

    agency_id: int
    code: str
    values: dict[str, Any]
    proposal: RemedyProposal | None
    missing: list[Missing]


def setup_view(engine: Engine, agency_id: int) -> SetupView:
    with read_session(engine) as s:
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise NotFound("机关")
        proposal = remedy_proposal(s, agency)
    cfg = agency_config(agency)
    hours = [*cfg.working_hours, "", ""]
    morning, afternoon = (tuple(h.split("-", 1)) if "-" in h else ("", "") for h in hours[:2])
    name = "" if agency.name == PLACEHOLDER_NAME else agency.name
    values: dict[str, Any] = {
        "name": name, "code": agency.code, "seal_text": cfg.seal_text or name, "office_name": cfg.office_name,
        "address": cfg.address, "postal_code": cfg.postal_code, "phone": cfg.phone, "email": cfg.email,
        "office_hours": cfg.office_hours,
        "reconsideration_organ": cfg.reconsideration_organ or (proposal.reconsideration_organ if proposal else ""),
        "litigation_court": cfg.litigation_court or (proposal.litigation_court if proposal else ""),
        "morning": morning, "afternoon": afternoon, "timezone": cfg.timezone, "hotline_profile": cfg.hotline_profile,
        **{f: getattr(cfg, f) for f in NUMBER_FIELDS},
    }
    return SetupView(agency_id, agency.code, values, proposal, missing_notice_settings(agency.name, cfg))


def _problems(data: SetupIn) -> list[dict[str, str]]:
    out = []

    def need(field: str, message: str) -> None:
        out.append({"field": field, "code": "required", "message": message})

    if not data.name.strip() or data.name.strip() == PLACEHOLDER_NAME:
        need("name", f"请填写本机关印在文书上的全称（不能是安装时的“{PLACEHOLDER_NAME}”）")
    if data.code is not None and (p := code_problem(data.code.strip())):
        out.append({"field": "code", "code": "invalid_code", "message": p})
    for field, what in (("address", "通信地址"), ("phone", "联系电话"), ("reconsideration_organ", "行政复议机关"),
                        ("litigation_court", "行政诉讼管辖法院")):
        if not getattr(data, field).strip():
            need(field, f"请填写{what}：每一份告知书和答复书都要写明")
    for part in ("morning", "afternoon"):
        span = getattr(data, part)
        if span and not all(_HHMM.match(t) for t in span):
            out.append({"field": part, "code": "invalid_time", "message": "时间应写成 09:00 这样的24小时制"})
        elif span and span[0] >= span[1]:
            out.append({"field": part, "code": "invalid_time", "message": "结束时间应晚于开始时间"})
    return out


def _config(current: AgencyConfig, data: SetupIn) -> AgencyConfig:
    values: dict[str, Any] = current.model_dump(mode="json")
    for f in ("seal_text", "office_name", "address", "postal_code", "phone", "email", "reconsideration_organ",
              "litigation_court"):
        values[f] = getattr(data, f).strip()
    values["seal_text"] = values["seal_text"] or data.name.strip()
    if data.office_hours is not None:
        values["office_hours"] = data.office_hours.strip()
    spans = [s for s in (data.morning, data.afternoon) if s and s[0] and s[1]]
    if spans:
        values["working_hours"] = [f"{a}-{b}" for a, b in spans]
    for f in ("timezone", "hotline_profile", *NUMBER_FIELDS):
        if getattr(data, f) is not None:
            values[f] = getattr(data, f)
    return AgencyConfig.model_validate(values)


def _merged(own: list[dict[str, str]], checked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form's problems, then the settings checks' on fields not already named; the working hours are the
    form's two spans (both of them checked already when either is named)."""
    flagged = {p["field"] for p in own}
    out: list[dict[str, Any]] = list(own)
    for p in checked:
        field = "afternoon" if p["field"] == "working_hours" else p["field"]
        if field not in flagged and not (field == "afternoon" and "morning" in flagged):
            out.append({**p, "field": field})
    return out


def apply_setup(engine: Engine, agency_id: int, data: SetupIn, *, actor: Principal, now: datetime) -> Agency:
    """Save the agency's true identity and notice settings; DomainValidation names each field still wrong (what is
    missing and what the settings checks refuse, workflow.agencies.checks, all at once)."""
    problems = _problems(data)
    with write_session(engine) as s:
        agency = s.get(Agency, agency_id)
        if agency is None:
            raise NotFound("机关")
        before = agency_config(agency)
        cfg = _config(before, data)
        try:
            name = check_settings(agency_id, data.name, cfg, actor, before=before)
        except DomainValidation as exc:
            raise DomainValidation(_merged(problems, exc.fields), "还有几项需要填写或更正") from exc
        if problems:
            raise DomainValidation(problems, "还有几项需要填写或更正")
        extra: dict[str, Any] = {}
        code = (data.code or agency.code).strip()
        if code != agency.code:
            serialize(s, "agency-codes")
            if s.exec(select(Agency.id).where(Agency.code == code, Agency.id != agency_id)).first() is not None:
                raise Conflict(f"机关代码“{code}”已被其他机关使用，请换一个", "agency_code_taken")
            extra["code"] = [agency.code, code]
            # the agency's own holiday arrangements are filed under its code (workflow.agencies.config.calendar_scopes)
            for table in (CalendarNotice, CalendarDay):
                s.execute(update(table).where(col(table.scope) == agency.code).values(scope=code))
            agency.code = code
        save_in(s, agency, name=name, cfg=cfg, actor=actor, now=now, action="setup", extra=extra)
        s.commit()
        s.refresh(agency)
    invalidate(agency_id)
    log.info("agency %s set up by %s", agency.code, actor.label)
    return agency


def setup_from_mapping(data: dict[str, Any]) -> SetupIn:
    """A YAML document as ``banli setup`` reads it (working hours as "09:00-12:00" strings)."""
    values = dict(data)
    for part in ("morning", "afternoon"):
        if isinstance(values.get(part), str) and "-" in values[part]:
            values[part] = tuple(values[part].split("-", 1))
    return SetupIn.model_validate(values)


def setup_needed(engine: Engine, agency_id: int) -> bool:
    """Whether the agency's notice settings are still incomplete (its administrator is led to the setup page)."""
    with read_session(engine) as s:
        agency = s.get(Agency, agency_id)
    return agency is not None and bool(missing_notice_settings(agency.name, agency_config(agency)))
