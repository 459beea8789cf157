"""Per-agency configuration (stored as JSON on the agency row) with defaults and validation.

Items rules.md marks UNCONFIRMED are settings here, never constants in code. The model checks shapes; whether a
value can be used (a number pattern, a profile, working hours, day counts …) is checked when it is saved
(workflow.agencies.checks), so that a setting stored earlier always loads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from states.calendar import WorkingHours

# The document-number patterns: str.format patterns with {year} and {seq} (states.doc_numbers)
NUMBER_FIELDS = ("tracking_format", "reply_doc_format", "notice_doc_format", "submission_format")


class AgencySettings(Protocol):
    """What an agency's settings and calendar scopes are read from: its row (db.models.Agency) or the detached
    view the pages hold (workflow.agencies.info.AgencyInfo)."""

    @property
    def code(self) -> str: ...

    @property
    def settings(self) -> Mapping[str, Any]: ...


class AgencyConfig(BaseModel):
    """Everything an agency may set; defaults suit a county government department."""

    model_config = ConfigDict(extra="forbid")

    # Identity printed on notices
    short_name: str = ""
    seal_text: str = ""
    address: str = ""
    postal_code: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    office_hours: str = "工作日 上午9:00—12:00，下午14:30—18:00"
    # 行政复议法第二十四条: for a county government department, the county people's government — proposed from the
    # hierarchy (states.agencies.propose_remedy) and confirmed by the administrator. Empty until then, and until
    # then no notice leaves the system (workflow.agencies.completeness).
    reconsideration_organ: str = ""
    litigation_court: str = ""
    # 行政复议法第二十三条 names refusals (不予公开); the withheld part of a 部分公开 (条例第三十七条) is one, so
    # its reply says reconsideration comes first for that part (DERIVED, rules.md §1.8: configurable).
    partial_reconsideration_first: bool = True
    tracking_format: str = "依申〔{year}〕{seq:04d}号"
    reply_doc_format: str = "公开复〔{year}〕{seq}号"
    notice_doc_format: str = "公开告〔{year}〕{seq}号"
    submission_format: str = "网申{year}{seq:06d}"

    # Time
    timezone: str = "Asia/Shanghai"
    working_hours: list[str] = Field(default_factory=lambda: ["09:00-12:00", "14:30-18:00"])
    calendar_scopes: list[str] = Field(default_factory=list)  # extra local scopes (region codes)

    # Back-filling (补录): a step dated earlier than now by more than this many working days is back-filled and
    # needs a reason; who may back-fill (empty: whoever may take the step anyway).
    backfill_grace_wd: int = Field(1, ge=0, le=30)
    backfill_roles: list[str] = Field(default_factory=list)

    # Disclosure procedure (条例第三十条、第三十三条; UNCONFIRMED items marked)
    receipt_on_rest_day_rolls_forward: bool = True  # rules.md §1.2 practice note (configurable)
    correction_notice_wd: int = 7  # 条例第三十条
    correction_period_wd: int = Field(15, ge=1, le=60)  # "合理的补正期限": UNCONFIRMED, configurable
    reply_wd: int = 20  # 条例第三十三条第一款
    max_extension_wd: int = Field(20, ge=1, le=20)  # 条例第三十三条第二款: ≤ 20
    consultation_wd: int = 15  # 条例第三十二条、第三十四条
    consultation_pause_starts: Literal["dispatch", "receipt"] = "dispatch"  # UNCONFIRMED (rules.md §7 item 8)
    fee_payment_wd: int = 20  # 国办函〔2020〕109号 (as restated by the Sichuan notice)
    fee_pauses_reply_clock: bool = True  # UNCONFIRMED (rules.md §2): default pause, verify locally
    fee_payment_how: str = "请持本通知书到本机关政府信息公开工作机构办理缴费手续。"
    fee_payee: str = ""
    fee_account: str = ""
    fee_bank: str = ""
    office_name: str = ""
    lookup_url: str = ""
    mail_attachments: list[str] = Field(default_factory=lambda: ["pdf"])
    # 条例第四十条: information provided by email travels with the reply up to this size; beyond it the reply
    # gives a download link valid for download_link_days.
    mail_files_limit_mb: int = Field(10, ge=0, le=100)
    download_link_days: int = Field(30, ge=1, le=365)
    art35_max_delay_wd: int = Field(60, ge=1, le=250)  # 条例第三十五条 sets no cap: configurable
    report_row_overrides: dict[str, str] = Field(default_factory=dict)  # e.g. {"disclose.already_public": "3.1"}
    reminder_ladder_wd: list[int] = Field(default_factory=lambda: [5, 3, 1, 0])  # working days before due
    reminder_ladders_wd: dict[str, list[int]] = Field(default_factory=dict)  # per clock kind, e.g. {"reply": [5, 1, 0]}
    supervise_after_wd: int = 5  # 督办 at +5 working days overdue
    # 12345 clocks counted in working hours (urgent sign-for, same-day handling, a platform's own instant): a
    # reminder this many working minutes before the deadline, 催办 at the first sweep in working hours after it,
    # 督办 this many working minutes after it (bureau practice; configurable)
    hour_remind_before_wmin: int = Field(30, ge=1, le=480)
    hour_supervise_after_wmin: int = Field(120, ge=1, le=2400)
    digest_time: str = "08:30"

    # 12345
    hotline_profile: str = "yunnan_county"
    hotline_overrides: dict[str, Any] = Field(default_factory=dict)

    def hours(self) -> WorkingHours:
        return WorkingHours.from_strings(self.working_hours, self.timezone)

    def ladder(self, kind: str) -> tuple[int, ...]:
        """Reminder rungs for a clock kind, furthest first (distinct, non-negative)."""
        return rungs(self.reminder_ladders_wd.get(kind, self.reminder_ladder_wd))


def rungs(values: Sequence[int]) -> tuple[int, ...]:
    """Reminder rungs (working days before the due day) as the sweep reads them: distinct, non-negative,
    furthest first."""
    return tuple(sorted({r for r in values if r >= 0}, reverse=True))


def agency_config(agency: AgencySettings) -> AgencyConfig:
    """Parsed settings of an agency (unknown keys are rejected when saved, ignored here)."""
    data = {k: v for k, v in (agency.settings or {}).items() if k in AgencyConfig.model_fields}
    return AgencyConfig.model_validate(data)


def calendar_scopes(agency: AgencySettings, cfg: AgencyConfig | None = None) -> tuple[str, ...]:
    """national + the agency's own code + any regional scopes it declares."""
    cfg = cfg or agency_config(agency)
    return ("national", agency.code, *cfg.calendar_scopes)
