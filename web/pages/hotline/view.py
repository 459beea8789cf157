"""What the 12345 pages show: readable timeline lines, cycle rows, clock due times, file kinds (Chinese)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from states.hotline import CALLBACK_LABELS, CYCLE_REASONS, EVENT_FIELDS, EVENT_VALUES
from web.pages.timeline import clock_moved
from workflow.hotline.files import CATEGORIES
from workflow.hotline.mapping import FIELDS
from workflow.hotline.profile_view import profile_name
from workflow.timesource import fmt_local


def wall(value: str | datetime | None, tz: str) -> str:
    """An instant as the agency's wall-clock time; midnight ends the day before (2026-03-03 24:00)."""
    if value is None or value == "":
        return ""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return fmt_local(dt, tz)


def _value(key: str, value: Any, tz: str) -> str:
    if value is None:  # a value the platform had not set (the caller reads （空）)
        return ""
    if key == "profile":  # the profile's code: a clerk reads its name
        return profile_name(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if key.endswith("_at") and isinstance(value, str):
        try:
            return wall(value, tz)
        except ValueError:
            return value
    return EVENT_VALUES.get(key, {}).get(str(value), str(value))


def event_lines(payload: dict[str, Any], tz: str) -> list[str]:
    """Labelled keys only; codes (result, ground) give way to their labels, ids are left out."""
    out: list[str] = [line for line in (clock_moved(payload, tz),) if line]
    for key, value in payload.items():
        if value in (None, "", [], {}):
            continue
        if key == "changes" and isinstance(value, dict):
            out.extend(f"{_field_label(k)}：{_value(k, v.get('old'), tz) or '（空）'} → "
                       f"{_value(k, v.get('new'), tz) or '（空）'}" for k, v in value.items() if isinstance(v, dict))
        elif key == "moved" and isinstance(value, list):
            out.extend(f"期限调整：{wall(m.get('old'), tz)} → {wall(m.get('new'), tz)}" for m in value
                       if isinstance(m, dict))
        elif key == "attachments" and isinstance(value, list):
            out.append("附件：" + "；".join(str(a.get("filename", "")) for a in value if isinstance(a, dict)))
        elif key in EVENT_FIELDS and not isinstance(value, dict | list):
            out.append(f"{EVENT_FIELDS[key]}：{_value(key, value, tz)[:300]}")
    return out


def _field_label(key: str) -> str:
    """A changed field as the timeline names it: the event's own word (平台办理时限), else the platform file's column."""
    return EVENT_FIELDS.get(key) or (FIELDS[key].label if key in FIELDS else key)


def cycle_rows(cycles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def flag(v: bool | None) -> str:
        return "" if v is None else ("按时" if v else "逾期")

    return [{**c, "reason_label": CYCLE_REASONS.get(c["reason"], c["reason"]),
             "signed_flag": flag(c["signed_on_time"]), "replied_flag": flag(c["replied_on_time"]),
             "callback_label": CALLBACK_LABELS.get(c["callback_result"] or "", "")} for c in cycles]


def file_kind(f: dict[str, Any]) -> str:
    from notifications.catalog import CATALOG

    spec = CATALOG.get(str(f.get("notice_type") or ""))
    if spec is not None:
        return spec.title_zh
    return CATEGORIES.get(str(f.get("category")), (str(f.get("category") or ""), False))[0]
