"""The administrators' view of a 12345 time-limit profile: every value of every category × urgency after the
agency's overrides, with where it comes from and how sure that source is. Only administrators read this (the
agency settings page); a clerk's explanation names the profile and the value, never the source. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from states.hotline import CATEGORY_LABELS, URGENCY_LABELS, Category, Urgency
from states.hotline_profiles import FIELD_LABELS, LIMIT_FIELDS, EscalationStep, Limit, ProfileError, resolve
from states.wording import PRESS_STEPS, SOURCE_CONFIDENCE
from workflow.agencies.config import AgencyConfig
from workflow.hotline.context import cached_profile
from workflow.hotline.profiles import profile_codes


@dataclass(frozen=True)
class ProfileRow:
    cell: str  # 投诉·一般
    setting: str  # 签收时限
    value: str  # 1个工作日
    confidence: str  # 已核实 / 二手来源 / 推导值 / 未核实 / 本机关设置
    source: str  # the source as the profile file states it (may be in English, may hold an address)


def profile_choices() -> list[tuple[str, str]]:
    """(code, name) of every profile on disk, for the settings page's select."""
    out = []
    for code in profile_codes():
        try:
            out.append((code, cached_profile(code).name))
        except ProfileError:
            continue
    return out


def profile_name(code: str | None) -> str:
    """A profile's name for a clerk (its code is not for clerks)."""
    try:
        return cached_profile(code or "").name
    except ProfileError:
        return "（时限方案已停用）"


def _value(v: Any) -> str:
    if isinstance(v, Limit):
        return v.describe_zh()
    if isinstance(v, tuple) and v and isinstance(v[0], EscalationStep):
        return "；".join(f"逾期后第{s.after_wd + 1}个工作日{PRESS_STEPS.get(s.action, s.action)}" for s in v)
    if isinstance(v, tuple):
        return "、".join(f"到期前{n}个工作日" if n else "到期当日" for n in v)
    return str(v)


def profile_rows(cfg: AgencyConfig) -> tuple[str, list[ProfileRow]]:
    """The agency's profile name and its rows (the overrides applied), or ("", []) when it does not load."""
    try:
        profile = cached_profile(cfg.hotline_profile)
    except ProfileError:
        return "", []
    rows = []
    for c in Category:
        for u in Urgency:
            try:
                lim = resolve(profile, c.value, u.value, cfg.hotline_overrides)
            except ProfileError:
                continue
            for name in (*LIMIT_FIELDS, "max_extension_days", "max_extensions", "escalation", "reminders"):
                prov = lim.provenance[name]
                value = getattr(lim, name)
                text = f"{value}个工作日" if name == "max_extension_days" else (
                    f"{value}次" if name == "max_extensions" else _value(value))
                rows.append(ProfileRow(f"{CATEGORY_LABELS[c]}·{URGENCY_LABELS[u]}", FIELD_LABELS[name], text,
                                       SOURCE_CONFIDENCE.get(prov.status, prov.status), prov.source))
    return profile.name, rows


__all__ = ["ProfileRow", "profile_choices", "profile_name", "profile_rows"]
