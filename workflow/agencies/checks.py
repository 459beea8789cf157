"""What an agency's settings must be before they are saved: values the workflow can use. A number pattern that
numbers, a 12345 profile that loads, working hours that make a day, a time zone the calendar knows, day counts the
law and the calendar allow, roles, formats and report rows that exist, texts that fit on a notice. Each value that
is wrong is refused at its field with one Chinese message, before anything is written, so that no registration,
intake or sweep fails later on a setting.

Every write path goes through ``settings_problems`` (via workflow.agencies.admin.check_settings): the settings API,
the settings page, the setup page and ``banli setup``. Stored settings are read as they are
(workflow.agencies.config.agency_config): a value saved before these rules existed still loads, and only a value
being changed is checked, so an agency can go on saving its other settings while it corrects that one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from notifications.mailer import ATTACHABLE
from states.annual_report import RESULT_KEYS
from states.calendar import WorkingHours
from states.decisions import REASONS
from states.doc_numbers import format_problem
from states.hotline_profiles import INT_FIELDS, LIMIT_FIELDS, ProfileError, parse_overrides
from states.inputs import is_email, is_postal_code
from states.roles import Role
from states.wording import ZONE_LABELS
from workflow.agencies.config import NUMBER_FIELDS, AgencyConfig
from workflow.hotline.profiles import get_profile, profile_codes
from workflow.kinds import clock_kinds
from workflow.timesource import DEFAULT_TZ

Problem = dict[str, str]

LIST_FIELDS = ("mail_attachments", "backfill_roles", "calendar_scopes")
# Day counts: (least, most, why). A period the agency must meet may be shorter than the law's, never longer; a
# period the law gives the applicant or a third party may be longer, never shorter; the rest are bounded generously.
# (backfill_grace_wd, correction_period_wd, max_extension_wd, art35_max_delay_wd, download_link_days,
# mail_files_limit_mb and the working-minute settings carry their bounds on AgencyConfig itself.)
DAY_BOUNDS: dict[str, tuple[int, int, str]] = {
    "correction_notice_wd": (1, 7, "《政府信息公开条例》第三十条：收到申请之日起7个工作日内一次性告知补正"),
    "reply_wd": (1, 20, "《政府信息公开条例》第三十三条第一款：收到申请之日起20个工作日内答复"),
    "consultation_wd": (15, 30, "《政府信息公开条例》第三十二条、第三十四条：第三方和其他机关有15个工作日提出意见"),
    "fee_payment_wd": (20, 60, "国办函〔2020〕109号：申请人在收到收费通知次日起20个工作日内缴纳费用"),
    "supervise_after_wd": (1, 60, "催办之后再过几个工作日督办"),
}
RUNG_MAX = 250  # a reminder as far ahead as the longest deadline (art35_max_delay_wd's bound)
RUNGS_MAX = 10
PERIODS_MAX = 6
SCOPES_MAX = 20
OVERRIDES_MAX = 100
# 12345 overrides: generous, finite (the calendar counts at most ten years of working days)
OVERRIDE_MAX = {"wd": 250, "wh": 480, "max_extension_days": 60, "max_extensions": 10, "after_wd": 60,
                "reminders": 60}

TEXT_MAX_DEFAULT = 200
# seal_text: printed inside the 42 mm seal ring with （印章）; about forty characters fill it (notifications/layout)
TEXT_MAX: dict[str, int] = {"short_name": 100, "postal_code": 6, "phone": 60, "email": 254, "website": 500,
                            "lookup_url": 500, "fee_payment_how": 500, "fee_account": 64, "seal_text": 40}
REQUIRED_TEXT: dict[str, str] = {
    "fee_payment_how": "请填写缴费方式：收费通知须写明缴纳方式（国办函〔2020〕109号）",
}
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_PERIOD = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_URL = re.compile(r"https?://[^\s/]+(/\S*)?")
_SHOWN = 20  # characters of a wrong value repeated in a message


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _problem(field: str, code: str, message: str) -> Problem:
    return {"field": field, "code": code, "message": message}


def hours_problem(periods: Sequence[str], tz: str) -> str | None:
    """Why ``periods`` (``["09:00-12:00", "14:30-18:00"]``) are not a working day (None: they are)."""
    if not periods:
        return "至少填写一个工作时间段，例如 09:00-12:00"
    if len(periods) > PERIODS_MAX:
        return f"工作时间段不超过{PERIODS_MAX}段"
    previous_end = None
    for i, text in enumerate(periods, 1):
        m = _PERIOD.fullmatch(text)
        if m is None:
            return f"第{i}段“{_shown(text)}”应写成 09:00-12:00 这样的24小时制时间段"
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            return f"第{i}段“{_shown(text)}”不是有效的时间"
        start, end = (h1, m1), (h2, m2)
        if start >= end:
            return f"第{i}段“{_shown(text)}”的结束时间应晚于开始时间"
        if previous_end is not None and start < previous_end:
            return f"第{i}段“{_shown(text)}”与前一段重叠或顺序颠倒，请按时间先后填写"
        previous_end = end
    try:
        WorkingHours.from_strings(list(periods), tz)
    except ValueError:
        return "工作时间段无效"
    return None


def rungs_problem(values: Sequence[int]) -> str | None:
    """Why a reminder ladder (working days before the due day) cannot be used (None: it can)."""
    if len(values) > RUNGS_MAX:
        return f"提醒不超过{RUNGS_MAX}次"
    if any(not 0 <= v <= RUNG_MAX for v in values):
        return f"提醒日应为0到{RUNG_MAX}之间的工作日数（0 表示到期当天）"
    return None


def _override_bounds(value: Any, setting: str) -> bool:
    """Whether a parsed override value is within OVERRIDE_MAX."""
    if setting in LIMIT_FIELDS:
        return bool(value.unit == "same_day" or value.amount <= OVERRIDE_MAX[value.unit])
    if setting in INT_FIELDS:
        return bool(value <= OVERRIDE_MAX[setting])
    if setting == "escalation":
        return all(step.after_wd <= OVERRIDE_MAX["after_wd"] for step in value)
    return all(r <= OVERRIDE_MAX["reminders"] for r in value) and len(value) <= RUNGS_MAX


def overrides_problem(overrides: dict[str, Any]) -> str | None:
    """Why an agency's adjustments to its 12345 profile cannot be applied, as the profile loader reads them."""
    if len(overrides) > OVERRIDES_MAX:
        return f"调整项不超过{OVERRIDES_MAX}项"
    try:
        parsed = parse_overrides(overrides)
    except ProfileError as exc:  # "path: 中文 / English": the Chinese half
        return "；".join(p.split(" / ")[0].replace(": ", "：", 1) for p in exc.problems[:3]) + ("等" if len(exc.problems) > 3 else "")
    for o in parsed:
        if not _override_bounds(o.value, o.setting):
            return (f"{_shown(o.provenance.layer.removeprefix('override:'))}：数值过大（时限不超过"
                    f"{OVERRIDE_MAX['wd']}个工作日或{OVERRIDE_MAX['wh']}个工作小时，延期不超过"
                    f"{OVERRIDE_MAX['max_extension_days']}个工作日、{OVERRIDE_MAX['max_extensions']}次，"
                    f"督办和提醒不超过{OVERRIDE_MAX['after_wd']}个工作日）")
    return None


def _profile_problem(code: str) -> str | None:
    if code not in profile_codes():
        return "请从列表中选择12345时限方案"
    try:
        get_profile(code)
    except ProfileError:
        return "该12345时限方案的文件有误，请选择其他方案或请平台管理员修正"
    return None


def _text_problem(name: str, value: str) -> Problem | None:
    if len(value) > TEXT_MAX.get(name, TEXT_MAX_DEFAULT):
        return _problem(name, "string_too_long", f"不超过{TEXT_MAX.get(name, TEXT_MAX_DEFAULT)}个字符")
    if value and not value.strip():
        return _problem(name, "blank", "不能只有空格；不填请留空")
    if name in REQUIRED_TEXT and not value.strip():
        return _problem(name, "required", REQUIRED_TEXT[name])
    if name == "email" and value and not is_email(value):
        return _problem(name, "invalid_email", "电子邮箱格式不正确，例如 gk@example.gov.cn")
    if name == "postal_code" and value and not is_postal_code(value):
        return _problem(name, "invalid_postal_code", "邮政编码应为6位数字")
    if name == "lookup_url" and value and not _URL.fullmatch(value):
        return _problem(name, "invalid_url", "应为以 http:// 或 https:// 开头的网址")
    return None


def _list_problem(name: str, values: list[str]) -> Problem | None:
    if name == "mail_attachments":
        if any(v not in ATTACHABLE for v in values):
            return _problem(name, "invalid_choice", "邮件附件只能是 PDF 或 Word 文档（pdf、docx）")
    elif name == "backfill_roles":
        known = {str(r) for r in Role}
        wrong = next((v for v in values if v not in known), None)
        if wrong is not None:
            return _problem(name, "unknown_role", f"未知的角色“{_shown(wrong)}”")
    elif name == "calendar_scopes":
        if len(values) > SCOPES_MAX:
            return _problem(name, "too_many", f"地方节假日安排不超过{SCOPES_MAX}项")
        if any(not v.strip() or len(v) > 64 for v in values):
            return _problem(name, "invalid_choice", "请从已导入的地方节假日安排中选择")
    return None


def _ladders_problems(ladders: dict[str, list[int]]) -> Iterable[Problem]:
    kinds = {name for name, k in clock_kinds().items() if k.reminders}
    for kind, values in ladders.items():
        field = f"reminder_ladders_wd.{kind}"
        if kind not in kinds:
            yield _problem(field, "invalid_choice", "没有这种时限，或这种时限不发到期提醒")
        elif (p := rungs_problem(values)) is not None:
            yield _problem(field, "out_of_range", p)


def _rows_problem(rows: dict[str, str]) -> Problem | None:
    reasons = {f"{r.category}.{r.code}" for r in REASONS}
    for key, row in rows.items():
        if key not in reasons:
            return _problem("report_row_overrides", "invalid_choice", f"没有“{_shown(key)}”这种答复情形")
        if row not in RESULT_KEYS["2021"]:
            return _problem("report_row_overrides", "invalid_choice",
                            f"年度报告表三中没有“{_shown(row)}”这一行，请从列表中选择")
    return None


def _hours(periods: list[str], tz: str) -> Problem | None:
    p = hours_problem(periods, tz)
    return None if p is None else _problem("working_hours", "invalid_time", p)


def settings_problems(cfg: AgencyConfig, before: AgencyConfig | None = None) -> list[Problem]:
    """Every setting of ``cfg`` the workflow could not use, at most one problem per field; with ``before`` (the
    settings in force), only the values that change are checked."""
    def changed(*names: str) -> bool:
        return before is None or any(getattr(before, n) != getattr(cfg, n) for n in names)

    out: list[Problem] = []

    def add(p: Problem | None) -> None:
        if p is not None:
            out.append(p)

    for name, info in AgencyConfig.model_fields.items():
        if not changed(name):
            continue
        value = getattr(cfg, name)
        if name in NUMBER_FIELDS:
            if (p := format_problem(value)) is not None:
                add(_problem(name, "invalid_format", p))
        elif name == "timezone":
            if value not in ZONE_LABELS:
                add(_problem(name, "invalid_choice", "请从列表中选择时间：" + "或".join(ZONE_LABELS.values())))
        elif name == "digest_time":
            if not _HHMM.fullmatch(value):
                add(_problem(name, "invalid_time", "应写成 08:30 这样的24小时制时间"))
        elif name == "hotline_profile":
            if (p := _profile_problem(value)) is not None:
                add(_problem(name, "invalid_choice", p))
        elif name == "hotline_overrides":
            if (p := overrides_problem(value)) is not None:
                add(_problem(name, "invalid_overrides", p))
        elif name == "reminder_ladder_wd":
            if (p := rungs_problem(value)) is not None:
                add(_problem(name, "out_of_range", p))
        elif name == "reminder_ladders_wd":
            out.extend(_ladders_problems(value))
        elif name == "report_row_overrides":
            add(_rows_problem(value))
        elif name in DAY_BOUNDS:
            lo, hi, why = DAY_BOUNDS[name]
            if not lo <= value <= hi:
                add(_problem(name, "out_of_range", f"应为{lo}到{hi}之间的整数（{why}）"))
        elif info.annotation is str:
            add(_text_problem(name, value))
        elif name in LIST_FIELDS:
            add(_list_problem(name, value))
    if changed("working_hours", "timezone"):  # the periods whatever the zone (one the zone's own message names)
        add(_hours(cfg.working_hours, cfg.timezone if cfg.timezone in ZONE_LABELS else DEFAULT_TZ))
    return out


__all__ = ["DAY_BOUNDS", "TEXT_MAX", "TEXT_MAX_DEFAULT", "hours_problem", "overrides_problem", "rungs_problem",
           "settings_problems"]
