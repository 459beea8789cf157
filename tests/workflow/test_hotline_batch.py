"""Batch import of 12345 exports into SQLite and PostgreSQL: good rows in, bad rows reported, a second
run adds nothing; the bulk path plans orders exactly as ``intake`` does."""

from __future__ import annotations

import csv
import json
import re

import openpyxl
import pytest
from sqlmodel import func, select

from db.engine import read_session
from db.models import Clock, Event, WorkOrder, WorkOrderCycle
from tests.fixtures.hotline_gen import EXPECTED, make_jsonl, make_xlsx
from tests.helpers import make_staff
from tests.hotline_helpers import detail, local
from workflow.accounts.principal import system
from workflow.hotline import actions as wf
from workflow.hotline.batch import import_file, write_report
from workflow.hotline.records import iter_records

NOW = local(2026, 6, 1, 10)  # after every receipt time in the generated files


def _counts(db) -> tuple[int, int, int, int]:
    with read_session(db.engine) as s:
        return tuple(int(s.exec(select(func.count()).select_from(m)).one())  # type: ignore[return-value]
                     for m in (WorkOrder, WorkOrderCycle, Clock, Event))


def test_thousand_rows_with_bad_rows_then_nothing_twice(db, tmp_path):
    path = tmp_path / "export.xlsx"
    manifest = make_xlsx(path, 1000, bad_fraction=0.05, seed=7)
    actor = system(1, "批量导入")
    ticks: list[int] = []
    report = import_file(db.engine, path, None, actor, NOW, progress=ticks.append)
    assert (report.total, report.created, report.updated, report.unchanged) == (1000, 950, 0, 0)
    assert sum(ticks) == 1000
    assert {e.row for e in report.errors} == set(manifest)
    for e in report.errors:
        kind, column = manifest[e.row]
        assert e.column == column and EXPECTED[kind][1] in e.problem_zh, (e, kind)
    orders, cycles, clocks, events = _counts(db)
    assert (orders, cycles, clocks) == (950, 950, 2850)
    assert events == 950
    again = import_file(db.engine, path, None, actor, NOW)
    assert (again.created, again.updated, again.unchanged, again.error_rows) == (0, 0, 950, 50)
    assert _counts(db) == (orders, cycles, clocks, events)

    out = write_report(report, tmp_path / "problems.csv")
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["行号", "列", "问题"] and len(rows) == 51
    # a clerk reads it to mend the file: plain Chinese, no machine codes such as "invalid_datetime"
    assert not [c for r in rows for c in r if re.search(r"[a-z]+_[a-z]+", c)], rows
    xl = write_report(report, tmp_path / "problems.xlsx")
    ws = openpyxl.load_workbook(xl).active
    assert ws.max_row == 51 and ws.cell(1, 3).value == "问题"


def test_bulk_rows_equal_what_intake_writes(db, tmp_path):
    """The same record through the bulk path and through ``intake``: same row, cycle and clocks."""
    path = tmp_path / "one.jsonl"
    make_jsonl(path, 40, bad_fraction=0, seed=5)
    records = [r.record for r in iter_records(path)]
    staff = make_staff(db.engine, NOW)
    import_file(db.engine, path, None, system(staff.agency_id), NOW)
    with read_session(db.engine) as s:
        bulk = {w.order_no: w for w in s.exec(select(WorkOrder))}
        bulk_clocks = {(c.case_id, c.kind): c for c in s.exec(select(Clock))}
    for i, rec in enumerate(records):
        assert rec is not None
        rec = {**rec, "order_no": f"API-{i}"}
        oid = wf.intake(db.engine, rec, staff.front, NOW).id
        with read_session(db.engine) as s:
            one = s.get(WorkOrder, oid)
            assert one is not None
            twin = bulk[records[i]["order_no"]]  # type: ignore[index]
            skip = {"id", "order_no", "source_hash"}
            assert {k: v for k, v in one.model_dump().items() if k not in skip} == \
                   {k: v for k, v in twin.model_dump().items() if k not in skip}
            for c in s.exec(select(Clock).where(Clock.case_id == oid, Clock.case_kind == "workorder")):
                b = bulk_clocks[(twin.id, c.kind)]  # type: ignore[index]
                assert (c.unit, c.amount, c.start_date, c.start_at, c.due_date, c.due_at, c.explanation,
                        c.provisional) == (b.unit, b.amount, b.start_date, b.start_at, b.due_date, b.due_at,
                                           b.explanation, b.provisional), c.kind


def test_dry_run_writes_nothing_and_changed_rows_update(sqlite_db, tmp_path):
    path = tmp_path / "e.jsonl"
    make_jsonl(path, 100, bad_fraction=0.1, seed=3)
    actor = system(1)
    dry = import_file(sqlite_db.engine, path, None, actor, NOW, dry_run=True)
    assert dry.dry_run and (dry.created, dry.error_rows) == (90, 10) and _counts(sqlite_db)[0] == 0
    import_file(sqlite_db.engine, path, None, actor, NOW)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("来电人希望", "来电人再次来电希望")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = import_file(sqlite_db.engine, path, None, actor, NOW)
    assert (rep.created, rep.updated, rep.unchanged) == (0, 1, 89)
    with read_session(sqlite_db.engine) as s:
        ev = s.exec(select(Event).where(Event.action == "update")).one()
        assert "content" in ev.payload["changes"] and ev.payload["source"] == "import"


def test_imported_orders_can_be_handled(sqlite_db, tmp_path):
    path = tmp_path / "e.xlsx"
    make_xlsx(path, 20, bad_fraction=0, seed=9)
    staff = make_staff(sqlite_db.engine, NOW)
    import_file(sqlite_db.engine, path, None, staff.front, NOW)
    with read_session(sqlite_db.engine) as s:
        oid = s.exec(select(WorkOrder.id).order_by(WorkOrder.id)).first()  # type: ignore[arg-type]
    assert oid is not None
    d = detail(sqlite_db.engine, oid, staff.front, NOW)
    assert d["events"][0]["action"] == "intake" and d["events"][0]["payload"]["source"] == "import"
    wf.act(sqlite_db.engine, oid, "sign_for", {}, staff.front, NOW)
    assert detail(sqlite_db.engine, oid, staff.front, NOW)["cycles"][0]["signed_at"] is not None


def test_unreadable_file_is_an_error_before_anything_is_written(sqlite_db, tmp_path):
    from workflow.hotline.records import ImportFormatError

    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ImportFormatError):
        import_file(sqlite_db.engine, bad, None, system(1), NOW)
    assert _counts(sqlite_db)[0] == 0


def test_a_line_in_another_encoding_is_that_lines_problem(sqlite_db, tmp_path):
    """JSON Lines are read line by line: a line saved in GBK is reported at its row, every other line imported (the
    whole import failed with an internal error)."""
    path = tmp_path / "e.jsonl"
    make_jsonl(path, 10, bad_fraction=0, seed=4)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].decode("utf-8").encode("gb18030")
    path.write_bytes(b"".join(lines))
    rep = import_file(sqlite_db.engine, path, None, system(1), NOW)
    assert (rep.created, rep.error_rows) == (9, 1)
    assert [(e.row, e.code) for e in rep.errors] == [(4, "invalid_encoding")]


def test_a_line_that_is_not_json_is_reported_once(sqlite_db, tmp_path):
    path = tmp_path / "e.jsonl"
    make_jsonl(path, 3, bad_fraction=0, seed=4)
    path.write_bytes(path.read_bytes() + "{不是JSON\n".encode())
    rep = import_file(sqlite_db.engine, path, None, system(1), NOW)
    assert rep.created == 3 and [(e.row, e.code) for e in rep.errors] == [(4, "invalid_json")]


def test_the_import_refuses_an_impossible_phone_or_time_as_the_api_does(sqlite_db, tmp_path):
    """The sane-range rules of the intake (workflow.hotline.plan.check_record) hold for a file's rows too, at the
    column the file names: a phone that is not a number, a receipt a century old, a deadline in 2199."""
    path = tmp_path / "e.jsonl"
    make_jsonl(path, 5, bad_fraction=0, seed=4)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows[1]["联系电话"] = "😀"
    rows[2]["来电时间"] = "1900-01-01 00:00"
    rows[3]["办理时限"] = "2199-01-01 10:00"
    rows[4]["联系电话"] = "138****5678"  # as a platform masks it
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    rep = import_file(sqlite_db.engine, path, None, system(1), NOW)
    assert rep.created == 2
    assert [(e.row, e.column, e.code) for e in rep.errors] == [
        (2, "联系电话", "invalid_phone"), (3, "来电时间", "too_old"), (4, "办理时限", "too_late")]
