"""Deadlines reaching a year whose holiday notice is not loaded (h2 finding 2, h1 F8): 元旦 and the other fixed-date
statutory holidays are days off already, every document printing such a deadline says it is provisional, and the
year's notice, once imported, makes them exact again (the recompute sweep). A change of the fixed-holiday data itself
moves the deadlines counted without it."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import CalendarState, StoredFile
from notifications.files import read_file
from notifications.outbox import deliver_due
from notifications.render import render
from states.calendar_notice import parse_notice
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, clock_of, events, outbox, register_on, run
from workflow.agencies.bootstrap import ensure_database
from workflow.agencies.cache import invalidate
from workflow.calendar.service import calendar_version, count_stale_clocks, import_notice
from workflow.disclosure import actions as wf

NOTICE_2027 = Path(__file__).resolve().parents[1] / "fixtures" / "calendar" / "2027-national.yaml"
NOTE = "（暂定：2027年节假日安排尚未公布，如有调整以调整后为准）"
LINE = ("2027 年节假日安排尚未发布，暂按周末和元旦、劳动节、国庆节的法定日期推算；"
        "春节、清明节、端午节、中秋节的放假日期和补假、调休安排待国务院通知公布，结果为暂定")


def _pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "d.pdf"
        src.write_bytes(data)
        out = subprocess.run(["pdftotext", str(src), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def _pdf_of(db, case_id: int, notice_type: str) -> str:
    with read_session(db.engine) as s:
        f = s.exec(select(StoredFile).where(StoredFile.case_id == case_id, StoredFile.notice_type == notice_type,
                                            col(StoredFile.filename).endswith(".pdf"))).one()
    return _pdf_text(read_file(f, db.settings.files_path))


def _notice_2027():
    return parse_notice(NOTICE_2027.read_text(encoding="utf-8"), NOTICE_2027.name)


def test_the_receipt_of_a_reply_due_in_2027_says_provisional(db, clock) -> None:
    """h2 case 29: received Friday 2026-12-04; the reply is due 2027-01-04 (not on 元旦), and provisionally so."""
    staff = make_staff(db.engine, clock.now())
    cid = register_on(db.engine, staff, date(2026, 12, 4))
    reply = clock_of(db.engine, cid, "reply")
    assert (reply.due_date, reply.provisional, reply.missing_years) == (date(2027, 1, 4), True, [2027])
    lines = reply.explanation["lines_zh"]
    assert "跳过法定节假日：2027-01-01 元旦" in lines
    assert [line for line in lines if "暂定" in line] == [LINE]  # once (h1 F8: it was there twice)

    (row,) = outbox(db.engine, "disclosure.receipt", cid)
    assert row.context["notice"]["provisional"] is True
    text = render("disclosure.receipt", row.context, "txt", settings=db.settings).content.decode()
    assert f"答复期限：2027年1月4日前{NOTE}" in text and f"即最迟于2027年1月4日前{NOTE}答复" in text
    deliver_due(db.engine, at(date(2026, 12, 4), 9, 31), instance="test", settings=db.settings)
    assert f"2027年1月4日前{NOTE}" in _pdf_of(db, cid, "disclosure.receipt")

    # 延期 by 20 working days: both dates are provisional, and the notice says so of each
    wf.act(db.engine, cid, "request_extension", {"days": 20, "reason": "需要调档核对"}, staff.officer,
           at(date(2026, 12, 28)))
    wf.act(db.engine, cid, "approve_extension", {}, staff.leader, at(date(2026, 12, 28), 11))
    (ext,) = outbox(db.engine, "disclosure.extension_notice", cid)
    assert (ext.context["notice"]["original_provisional"], ext.context["notice"]["provisional"]) == (True, True)
    text = render("disclosure.extension_notice", ext.context, "txt", settings=db.settings).content.decode()
    assert f"应当于2027年1月4日前{NOTE}作出答复" in text and f"将于2027年2月1日前{NOTE}向您作出答复" in text
    assert [line for line in clock_of(db.engine, cid, "reply").explanation["lines_zh"] if "暂定" in line] == [LINE]


def test_a_deadline_in_a_published_year_is_printed_as_firm(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    cid = register_on(db.engine, staff, date(2026, 11, 2))
    (row,) = outbox(db.engine, "disclosure.receipt", cid)
    assert row.context["notice"]["provisional"] is False
    text = render("disclosure.receipt", row.context, "txt", settings=db.settings).content.decode()
    assert "暂定" not in text and "2026年11月30日前答复" in text


def test_importing_the_2027_notice_makes_the_deadlines_exact(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    same = register_on(db.engine, staff, date(2026, 12, 4))  # 2027-01-04 either way (元旦 is a fixed date)
    moves = register_on(db.engine, staff, date(2027, 1, 20))  # 春节 was not known: 2027-02-17 → 2027-02-24
    assert clock_of(db.engine, moves, "reply").due_date == date(2027, 2, 17)
    now = at(date(2027, 1, 21))
    import_notice(db.engine, _notice_2027(), actor_label="管理员", now=now)
    run(db.engine, "recompute", now)
    with read_session(db.engine) as s:
        assert count_stale_clocks(s) == 0
    kept, moved = clock_of(db.engine, same, "reply"), clock_of(db.engine, moves, "reply")
    assert (kept.due_date, kept.provisional, kept.missing_years) == (date(2027, 1, 4), False, [])
    assert not any("暂定" in line for line in kept.explanation["lines_zh"])
    assert "跳过法定节假日：2027-01-01 至 2027-01-03 元旦" in kept.explanation["lines_zh"]
    assert events(db.engine, same, "recompute") == []  # the date did not move: nobody is told again
    assert (moved.due_date, moved.provisional) == (date(2027, 2, 24), False)
    assert [(e.payload["old"], e.payload["new"]) for e in events(db.engine, moves, "recompute")] == [
        ("2027-02-17", "2027-02-24")]


def test_new_fixed_holiday_data_recomputes_deadlines_counted_without_it(db, clock) -> None:
    """A database from before the fixed-date holidays (or with other data): the next start stores them, bumps the
    calendar version and the recompute sweep moves the reply due on 元旦 to the next working day."""
    staff = make_staff(db.engine, clock.now())
    with write_session(db.engine) as s:
        state = s.get(CalendarState, 1)
        assert state is not None and state.fixed_holidays
        state.fixed_holidays, state.version = None, state.version + 1
        s.add(state)
        s.commit()
    invalidate()
    cid = register_on(db.engine, staff, date(2026, 12, 4))
    assert clock_of(db.engine, cid, "reply").due_date == date(2027, 1, 1)  # weekends only: the h2 defect
    with read_session(db.engine) as s:
        before = calendar_version(s)

    ensure_database(db.engine, db.settings, now=clock.now())  # the start-up
    with read_session(db.engine) as s:
        assert calendar_version(s) == before + 1 and count_stale_clocks(s) > 0
    ensure_database(db.engine, db.settings, now=clock.now())  # unchanged data: nothing happens
    with read_session(db.engine) as s:
        assert calendar_version(s) == before + 1

    run(db.engine, "recompute", at(date(2026, 12, 7)))
    reply = clock_of(db.engine, cid, "reply")
    assert (reply.due_date, reply.provisional) == (date(2027, 1, 4), True)
    assert [(e.payload["old"], e.payload["new"]) for e in events(db.engine, cid, "recompute")] == [
        ("2027-01-01", "2027-01-04")]
