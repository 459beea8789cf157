"""Explanations a clerk can read, JSON-serialisable results, and the calendar modules' purity."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from states.calendar import WorkCalendar

D = date.fromisoformat
ROOT = Path(__file__).resolve().parents[2]


def test_lines_zh_worked_example(cal: WorkCalendar) -> None:
    r = cal.add_workdays(D("2025-09-22"), 20)
    assert r.explanation.lines_zh() == [
        "起算日 2025-09-22（当日不计入）",
        "期间：20 个工作日",
        "跳过周末 4 天：2025-09-27、2025-10-12、2025-10-18、2025-10-19",
        "跳过法定节假日：2025-10-01 至 2025-10-08 国庆节、中秋节",
        "计入调休上班日：2025-09-28（星期日，国庆节调休）、2025-10-11（星期六，国庆节调休）",
        "届满日 2025-10-24（星期五）",
    ]


def test_to_dict_is_json(cal: WorkCalendar) -> None:
    d = cal.add_workdays(D("2025-09-22"), 20).to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["due"] == "2025-10-24"
    assert d["calendar_version"] == 1
    e = d["explanation"]
    assert e["start"] == "2025-09-22" and e["amount"] == 20 and e["rule"] == "workdays"
    assert e["weekends_skipped"][0] == "2025-09-27"
    assert e["holidays_skipped"][5] == {"date": "2025-10-06", "name": "中秋节", "scope": "national"}
    assert e["makeup_days_counted"] == [
        {"date": "2025-09-28", "name": "国庆节", "scope": "national"},
        {"date": "2025-10-11", "name": "国庆节", "scope": "national"},
    ]
    assert e["lines_zh"][0] == "起算日 2025-09-22（当日不计入）"


def test_long_lists_are_shortened(cal: WorkCalendar) -> None:
    lines = cal.add_workdays(D("2025-01-02"), 200).explanation.lines_zh()
    weekend_line = next(line for line in lines if line.startswith("跳过周末"))
    assert weekend_line.endswith("天") and " 等 " in weekend_line
    assert weekend_line.count("、") == 11  # twelve dates shown


def test_separate_holiday_blocks(cal: WorkCalendar) -> None:
    lines = cal.add_workdays(D("2026-04-30"), 40).explanation.lines_zh()
    assert "跳过法定节假日：2026-05-01 至 2026-05-05 劳动节" in lines
    assert "跳过法定节假日：2026-06-19 至 2026-06-21 端午节" in lines
    assert "计入调休上班日：2026-05-09（星期六，劳动节调休）" in lines


def test_calendar_modules_import_nothing_of_the_app() -> None:
    code = (
        "import sys, states.calendar, states.calendar_notice;"
        "bad = {'sqlmodel', 'sqlalchemy', 'fastapi', 'db', 'chinese_calendar', 'workflow'};"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_calendar_core_is_stdlib_only() -> None:
    code = "import sys, states.calendar; print('yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_clock_reads() -> None:
    files = [*(ROOT / "states").glob("calendar*.py"), ROOT / "workflow" / "calendar" / "seed.py"]
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.(now|today|utcnow)\(|time\.time\(", text), path
