"""What the 12345 pages show: readable timeline lines, cycle rows, clock due times, file kinds (Chinese)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from states.hotline import CALLBACK_LABELS, STATE_LABELS
from web.pages.timeline import clock_moved
from workflow.hotline.files import CATEGORIES
from workflow.hotline.mapping import FIELDS
from workflow.hotline.profile_view import profile_name
from workflow.timesource import fmt_local

KEY_LABELS = {
    "order_no": "工单编号", "profile": "时限方案", "due_source": "时限来源", "sign_for_due_at": "签收时限",
    "handling_due_at": "办理时限", "return_window_due_at": "退单时限", "on_time": "按时", "note": "备注",
    "reason": "理由", "assignee": "承办人", "days": "工作日数", "requested_days": "申请延期的工作日数",
    "old_due_at": "原办理时限", "new_due_at": "延期后的办理时限", "text": "阶段性答复", "result_text": "办理结果",
    "result_label": "回访结果", "ground_label": "终止办理情形", "cycle": "办理周期", "platform_due_at": "平台办理时限",
    "back_to": "退回至", "overdue_workdays": "逾期工作日数", "into_order_no": "并入工单", "tracking_no": "依申请公开受理编号",
    "receipt_date": "收到申请日期", "source": "来源", "row": "导入行号", "filename": "文件", "label": "类别",
    "title": "文书", "pressed_by": "催办督办人",
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "due_source": {"platform": "平台时限", "profile": "本机关时限方案"},
    "source": {"api": "登记或接口", "import": "批量导入"},
    "back_to": dict(STATE_LABELS),
}
CYCLE_REASONS = {"dispatch": "平台派单", "rehandle": "退回重办", "reassign": "平台改派"}


def wall(value: str | datetime | None, tz: str) -> str:
    """An instant as the agency's wall-clock time; midnight ends the day before (2026-03-03 24:00)."""
    if value is None or value == "":
        return ""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return fmt_local(dt, tz)


def _value(key: str, value: Any, tz: str) -> str:
    if key == "profile":  # the profile's code: a clerk reads its name
        return profile_name(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if key.endswith("_at") and isinstance(value, str):
        try:
            return wall(value, tz)
        except ValueError:
            return value
    return VALUE_LABELS.get(key, {}).get(str(value), str(value))


def event_lines(payload: dict[str, Any], tz: str) -> list[str]:
    """Labelled keys only; codes (result, ground) give way to their labels, ids are left out."""
    out: list[str] = [line for line in (clock_moved(payload, tz),) if line]
    for key, value in payload.items():
        if value in (None, "", [], {}):
            continue
        if key == "changes" and isinstance(value, dict):
            out.extend(f"{FIELDS[k].label if k in FIELDS else k}：{_value(k, v.get('old'), tz) or '（空）'} → "
                       f"{_value(k, v.get('new'), tz) or '（空）'}" for k, v in value.items() if isinstance(v, dict))
        elif key == "moved" and isinstance(value, list):
            out.extend(f"期限调整：{wall(m.get('old'), tz)} → {wall(m.get('new'), tz)}" for m in value
                       if isinstance(m, dict))
        elif key == "attachments" and isinstance(value, list):
            out.append("附件：" + "；".join(str(a.get("filename", "")) for a in value if isinstance(a, dict)))
        elif key in KEY_LABELS and not isinstance(value, dict | list):
            out.append(f"{KEY_LABELS[key]}：{_value(key, value, tz)[:300]}")
    return out


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
