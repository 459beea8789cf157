"""Export of handling results: xlsx with Chinese headers and Shanghai-naive times, JSON Lines."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from workflow.hotline.export import write_export

EXPORT_ROWS: list[dict[str, Any]] = [
    {"order_no": "YN1", "result": "办结", "reply_text": '=HYPERLINK("http://evil","点我")',
     "replied_at": datetime(2026, 3, 3, 1, 30, tzinfo=UTC), "handler": "张三",
     "attachments": ["答复意见.pdf", "现场照片.jpg"]},
    {"order_no": "YN2", "result": "终止办理", "reply_text": "控制\x07字符", "replied_at": None, "handler": "李四",
     "attachments": []},
]


def test_export_xlsx():
    buf = io.BytesIO()
    assert write_export(EXPORT_ROWS, "xlsx", buf) == 2
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("工单编号", "办理结果", "答复内容", "答复时间", "办理人", "附件")
    assert rows[1] == ("YN1", "办结", '=HYPERLINK("http://evil","点我")', datetime(2026, 3, 3, 9, 30), "张三",
                       "答复意见.pdf；现场照片.jpg")
    assert ws["C2"].data_type == "s"  # stored as text, not a formula
    assert rows[2][2] == "控制字符" and rows[2][3] is None


def test_export_jsonl():
    buf = io.BytesIO()
    assert write_export(EXPORT_ROWS, "jsonl", buf) == 2
    first, second = (json.loads(x) for x in buf.getvalue().decode("utf-8").splitlines())
    assert first["replied_at"] == "2026-03-03T09:30:00+08:00"
    assert first["attachments"] == ["答复意见.pdf", "现场照片.jpg"]
    assert second["replied_at"] == "" and second["reply_text"] == "控制\x07字符"


def test_export_refuses_naive_times_and_unknown_formats():
    with pytest.raises(ValueError, match="naive"):
        write_export([{"order_no": "x", "replied_at": datetime(2026, 3, 3)}], "xlsx", io.BytesIO())
    with pytest.raises(ValueError, match="unknown export format"):
        write_export([], "csv", io.BytesIO())  # type: ignore[arg-type]


def test_export_window_reads_dates_and_times_alike_for_every_caller() -> None:
    """One reading for the export page, the API and the CLI: ``until`` as a date includes that day."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import pytest

    from workflow.hotline.mapping import load_mapping
    from workflow.hotline.queries import ExportWindowError, export_window

    sh = ZoneInfo("Asia/Shanghai")
    m = load_mapping()
    assert export_window("2026-03-01", None, m) == (datetime(2026, 3, 1, tzinfo=sh), None)
    assert export_window("2026-03-01", "2026-03-31", m) == (datetime(2026, 3, 1, tzinfo=sh),
                                                              datetime(2026, 4, 1, tzinfo=sh))
    assert export_window("2026-03-01 08:00", "2026-03-31 17:30", m) == (datetime(2026, 3, 1, 8, tzinfo=sh),
                                                                          datetime(2026, 3, 31, 17, 30, tzinfo=sh))
    assert export_window("2026-03-01", "", m)[1] is None
    for since, until, field in (("昨天", None, "since"), ("", None, "since"), ("2026-03-01", "月底", "until"),
                                ("2026-03-02", "2026-03-01", "until"), ("2026-03-01 08:00", "2026-03-01 08:00", "until")):
        with pytest.raises(ExportWindowError) as exc:
            export_window(since, until, m)
        assert exc.value.field == field and exc.value.message
