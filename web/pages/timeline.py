"""Readable lines for the case timeline from an event's payload (Chinese labels, codes translated)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from states.disclosure import EVENT_FIELDS
from states.wording import EVENT_LABELS
from web.pages.labels import FIELD_LABELS, OPTION_LABELS
from workflow.disclosure.context import decision_view
from workflow.kinds import clock_kinds
from workflow.timesource import fmt_local

SKIP = {"tracking_no", "raw_receipt_date", "assignee_id", "previous_assignee_id", "detail", "category", "sha256",
        "size", "file_id", "outbox_id", "notice_type"}


def file_kind(f: dict[str, Any]) -> str:
    """What a stored file is, in Chinese: the notice's title, or the attachment category."""
    from notifications.catalog import CATALOG
    from workflow.cases.attachments import CATEGORIES

    spec = CATALOG.get(str(f.get("notice_type") or ""))
    if spec is not None:
        return spec.title_zh
    return CATEGORIES.get(str(f.get("category")), (str(f.get("category") or ""), False))[0]


def event_label(event: dict[str, Any]) -> str:
    label = str(event.get("label", ""))
    return EVENT_LABELS.get(label, label)


def _value(key: str, value: Any) -> str:
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    options = OPTION_LABELS.get(key, {})
    return options.get(str(value), str(value))


def clock_moved(payload: dict[str, Any], tz: str | None = None) -> str:
    """A deadline recomputed after a calendar change, as old → new (the recompute sweep's event); an hour-based
    one with its times, in ``tz`` (None: as stored, in the agency's time)."""
    kind, old, new = payload.get("clock"), payload.get("old"), payload.get("new")
    if not isinstance(kind, str) or not new or "calendar_version" not in payload:
        return ""
    spec = clock_kinds().get(kind)
    label = spec.label if spec is not None else "期限"
    if isinstance(payload.get("new_at"), str):  # an hour-based deadline: its local times (stored with the offset)
        old_at = payload.get("old_at")
        old = fmt_local(datetime.fromisoformat(old_at), tz) if isinstance(old_at, str) else None
        new = fmt_local(datetime.fromisoformat(payload["new_at"]), tz)
    return f"{label}：{old or '—'} → {new}（按新的节假日安排重新计算）"


def event_lines(payload: dict[str, Any]) -> list[str]:
    """Only keys with a label are shown; empty values and internal ids are left out."""
    out: list[str] = []
    decided = payload.get("decision")
    if isinstance(decided, str) and "." in decided:
        view = decision_view(*decided.split(".", 1))
        if view:
            basis = f"，{view['article']}" if view["article"] else ""
            out.append(f"答复类型：{view['category_label']}（{view['reason_label']}{basis}）")
    moved = clock_moved(payload)
    if moved:
        out.append(moved)
    for key, value in payload.items():
        if value in (None, "", [], {}) or key in SKIP:
            continue
        if decided and key in ("category", "reason", "decision"):
            continue
        if key == "files" and isinstance(value, list):  # portal uploads: the file names
            out.append("文件：" + "；".join(str(f.get("filename", "")) for f in value if isinstance(f, dict)))
            continue
        if key == "moved" and isinstance(value, list):
            out.extend(f"期限调整：{m.get('old')} → {m.get('new')}" for m in value if isinstance(m, dict))
            continue
        if isinstance(value, dict):
            continue
        label = FIELD_LABELS.get(key) or EVENT_FIELDS.get(key)
        if label is None or (value is False and key not in ("on_time",)):
            continue
        out.append(f"{label}：{_value(key, value)[:200]}")
    return out
