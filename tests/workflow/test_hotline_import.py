"""Import of 12345 exports: the 1,000-row file with ~5% bad rows, JSON Lines, value maps, times, hashes."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.hotline_gen import EXPECTED, HEADERS, make_jsonl, make_xlsx
from workflow.hotline.mapping import MappingError, load_mapping, mapping_from_dict, parse_datetime
from workflow.hotline.prepare import plan_row
from workflow.hotline.records import ImportFormatError, RowError, iter_records, record_hash

CST = ZoneInfo("Asia/Shanghai")
MAPPING = load_mapping()


def check_against_manifest(rows, manifest, n_rows):
    assert len(rows) == n_rows
    bad = {r.row_number: r for r in rows if r.errors}
    assert set(bad) == set(manifest)
    for row_number, (kind, column) in manifest.items():
        errors = bad[row_number].errors
        assert len(errors) == 1, (row_number, kind, errors)
        e = errors[0]
        assert (e.row, e.column) == (row_number, column), kind
        assert EXPECTED[kind][1] in e.problem_zh, (kind, e.problem_zh)
        assert bad[row_number].record is None
    good = [r.record for r in rows if not r.errors]
    assert len(good) == n_rows - len(manifest)
    for rec in good:
        assert rec["order_no"] and rec["content"]
        assert rec["category"] in {"consult", "help", "complaint", "report", "suggestion"}
        assert rec["urgency"] in {"normal", "urgent"}
        assert rec["received_at"].utcoffset() == timedelta(hours=8)
        due = rec["platform_due_at"]
        assert due is None or due >= rec["received_at"]
    return good


def test_thousand_row_xlsx_with_bad_rows(tmp_path):
    path = tmp_path / "export.xlsx"
    manifest = make_xlsx(path, 1000, bad_fraction=0.05, seed=7)
    assert len(manifest) == 50
    assert {kind for kind, _ in manifest.values()} == set(EXPECTED)  # every kind of bad row occurs
    good = check_against_manifest(list(iter_records(path, MAPPING)), manifest, 1000)
    assert len({r["order_no"] for r in good}) == len(good)
    assert any(r["caller_phone"].isdigit() and len(r["caller_phone"]) == 11 for r in good)
    assert any(r["assisting_units"] for r in good)


def test_jsonl_same_rows(tmp_path):
    path = tmp_path / "export.jsonl"
    manifest = make_jsonl(path, 200, bad_fraction=0.1, seed=3)
    check_against_manifest(list(iter_records(path, MAPPING)), manifest, 200)


def test_xlsx_and_jsonl_give_the_same_records(tmp_path):
    make_xlsx(tmp_path / "a.xlsx", 60, bad_fraction=0, seed=11)
    make_jsonl(tmp_path / "a.jsonl", 60, bad_fraction=0, seed=11)
    xs = [r.record for r in iter_records(tmp_path / "a.xlsx", MAPPING)]
    js = [r.record for r in iter_records(tmp_path / "a.jsonl", MAPPING)]
    assert len(xs) == 60 and None not in xs
    assert [record_hash(r) for r in xs if r] == [record_hash(r) for r in js if r]


def write_xlsx(path, header, *rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


BASIC = ["工单编号", "来电时间", "诉求类型", "紧急程度", "诉求内容", "办理时限", "协办单位", "是否指定承办"]


def one(tmp_path, **cells):
    values = {"工单编号": "A1", "来电时间": "2026-03-02 09:15:00", "诉求类型": "投诉", "紧急程度": "一般",
              "诉求内容": "噪音", "办理时限": None, "协办单位": None, "是否指定承办": None, **cells}
    path = write_xlsx(tmp_path / "one.xlsx", BASIC, [values[h] for h in BASIC])
    [row] = list(iter_records(path, MAPPING))
    return row


@pytest.mark.parametrize(("text", "code"), [
    ("咨询", "consult"), ("求助", "help"), ("投诉", "complaint"), ("举报", "report"),
    ("意见建议", "suggestion"), ("建议", "suggestion"), (" 投诉类 ", "complaint"), ("complaint", "complaint"),
])
def test_category_value_map(tmp_path, text, code):
    assert one(tmp_path, 诉求类型=text).record["category"] == code


@pytest.mark.parametrize(("text", "code"), [
    ("一般", "normal"), ("普通", "normal"), ("紧急", "urgent"), ("加急", "urgent"), (None, "normal"),
])
def test_urgency_value_map_and_default(tmp_path, text, code):
    assert one(tmp_path, 紧急程度=text).record["urgency"] == code


def test_designated_and_assisting_units(tmp_path):
    rec = one(tmp_path, 是否指定承办="是", 协办单位="县住建局、县城管局，县交通运输局; ").record
    assert rec["designated"] is True
    assert rec["assisting_units"] == ["县住建局", "县城管局", "县交通运输局"]
    assert one(tmp_path, 是否指定承办="也许").errors[0].problem_zh == "无法识别的是否指定承办“也许”"


def test_several_problems_in_one_row_all_reported(tmp_path):
    row = one(tmp_path, 工单编号=None, 诉求类型="闲聊", 诉求内容="")
    assert {e.column for e in row.errors} == {"工单编号", "诉求类型", "诉求内容"}
    assert row.record is None


def test_text_too_long(tmp_path):
    row = one(tmp_path, 工单编号="X" * 65)
    assert "过长" in row.errors[0].problem_zh


def test_duplicate_names_the_first_row(tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", BASIC, ["A1", "2026-03-02 09:15", "投诉", "一般", "x"], [],
                      ["B2", "2026-03-02 09:15", "投诉", "一般", "x"], ["A1", "2026-03-03 10:00", "咨询", "一般", "y"])
    rows = list(iter_records(path, MAPPING))
    assert [r.row_number for r in rows] == [2, 4, 5]  # the blank row 3 is skipped, numbers stay the sheet's
    assert rows[2].errors[0].problem_zh == "工单编号与第2行重复"
    assert rows[0].record is not None


def test_headers_with_spaces_and_required_marks(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", ["工单 编号*", " 来电时间", "诉求类型*", "诉求内容"],
                      ["A1", "2026-03-02 09:15", "咨询", "问路"])
    [row] = list(iter_records(path, MAPPING))
    assert row.record is not None and row.record["order_no"] == "A1"


def test_missing_required_column_is_a_file_error(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", ["工单编号", "诉求内容"], ["A1", "x"])
    with pytest.raises(MappingError) as exc:
        list(iter_records(path, MAPPING))
    assert "来电时间" in str(exc.value) and "诉求类型" in str(exc.value)


def test_unreadable_and_unsupported_files(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ImportFormatError, match="无法读取Excel文件"):
        list(iter_records(tmp_path / "x.xlsx", MAPPING))
    with pytest.raises(ImportFormatError, match="不支持的文件类型"):
        list(iter_records(tmp_path / "x.csv", MAPPING))
    m = mapping_from_dict({**_mapping_data(), "sheet": "不存在"})
    with pytest.raises(ImportFormatError, match="工作表"):
        list(iter_records(write_xlsx(tmp_path / "s.xlsx", BASIC), m))


def _mapping_data():
    import yaml

    from workflow.hotline.mapping import DEFAULT_MAPPING_PATH
    return yaml.safe_load(DEFAULT_MAPPING_PATH.read_text(encoding="utf-8"))


def test_jsonl_bad_lines_do_not_stop_the_import(tmp_path):
    ok = {"工单编号": "J1", "来电时间": "2026-03-02T09:15:00+08:00", "诉求类型": "咨询", "诉求内容": "问"}
    lines = [json.dumps(ok, ensure_ascii=False), "{broken", "", "[1, 2]",
             json.dumps({"工单编号": "J2", "诉求类型": "咨询"}, ensure_ascii=False),
             json.dumps({**ok, "工单编号": "J3"}, ensure_ascii=False)]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(iter_records(path, MAPPING))
    assert [r.row_number for r in rows] == [1, 2, 4, 5, 6]
    assert rows[0].record is not None and rows[4].record is not None
    assert re.fullmatch(r"该行不是有效的JSON（第\d+个字符附近有误）", rows[1].errors[0].problem_zh)
    assert rows[2].errors[0].problem_zh == "每行应为一个JSON对象"
    assert {e.column for e in rows[3].errors} == {"来电时间", "诉求内容"}


def test_bad_mapping_files():
    data = _mapping_data()
    with pytest.raises(MappingError) as exc:
        mapping_from_dict({**data, "columns": {"order_no": "工单编号", "colour": ["颜色"]},
                           "values": {"category": {"吐槽": "rant"}}, "timezone": "Mars/Olympus",
                           "defaults": {"urgency": "asap"}})
    text = str(exc.value)
    for fragment in ("columns.colour：没有这个字段", "缺少必需的字段 received_at", "对照的取值“rant”无效",
                     "没有这个时区“Mars/Olympus”", "defaults.urgency：默认值“asap”无效"):
        assert fragment in text
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", text.replace("Mars/Olympus", ""))  # no English sentence


# --- times -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("2026-03-02 09:15:00", datetime(2026, 3, 2, 9, 15, tzinfo=CST)),
    ("2026/3/2 9:15", datetime(2026, 3, 2, 9, 15, tzinfo=CST)),
    ("2026/03/02 09:15:30", datetime(2026, 3, 2, 9, 15, 30, tzinfo=CST)),
    ("2026年3月2日 9:15", datetime(2026, 3, 2, 9, 15, tzinfo=CST)),
    (" 2026-03-02 09:15 ", datetime(2026, 3, 2, 9, 15, tzinfo=CST)),
    ("2026-03-02T01:15:00+00:00", datetime(2026, 3, 2, 9, 15, tzinfo=CST)),
    ("2026-03-02", datetime(2026, 3, 2, 0, 0, tzinfo=CST)),
    (datetime(2026, 3, 2, 9, 15), datetime(2026, 3, 2, 9, 15, tzinfo=CST)),  # an Excel datetime cell
    (datetime(2026, 3, 2, 1, 15, tzinfo=UTC), datetime(2026, 3, 2, 9, 15, tzinfo=CST)),
    (date(2026, 3, 2), datetime(2026, 3, 2, 0, 0, tzinfo=CST)),
])
def test_time_formats(value, expected):
    got = parse_datetime(value, MAPPING)
    assert got == expected and got.utcoffset() == timedelta(hours=8)


def test_date_only_deadline_is_the_end_of_that_day():
    assert parse_datetime("2026-03-09", MAPPING, end_of_day=True) == datetime.combine(
        date(2026, 3, 9), time.max, tzinfo=CST)
    assert parse_datetime(date(2026, 3, 9), MAPPING, end_of_day=True).time() == time.max


@pytest.mark.parametrize("value", ["2026-13-45 25:61", "昨天下午", "2026/02/30 10:00", "", None, 3.5])
def test_malformed_times(value):
    with pytest.raises(ValueError):
        parse_datetime(value, MAPPING)


def test_excel_serial_numbers_are_times(tmp_path):
    # 46083.385416… is 2026-03-02 09:15 in Excel's 1900 date system (a cell without a date format)
    row = one(tmp_path, 来电时间=46083 + (9 * 60 + 15) / 1440)
    assert row.record["received_at"] == datetime(2026, 3, 2, 9, 15, tzinfo=CST)


def test_deadline_before_receipt(tmp_path):
    row = one(tmp_path, 办理时限="2026-03-01 18:00")
    assert [(e.column, e.problem_zh) for e in row.errors] == [("办理时限", "办理时限早于来电时间")]
    assert one(tmp_path, 办理时限="2026-03-02").errors == []  # a date-only deadline lasts the whole day


# --- hashes ------------------------------------------------------------------------------------------

def test_record_hash_same_and_changed_repeat(tmp_path):
    a = one(tmp_path, 来电时间="2026-03-02 09:15:00").record
    b = one(tmp_path, 来电时间="2026/3/2 9:15").record
    c = one(tmp_path, 诉求内容="噪音（补充：凌晨两点）").record
    assert record_hash(a) == record_hash(b)
    assert record_hash(a) != record_hash(c)
    assert record_hash(dict(reversed(list(a.items())))) == record_hash(a)
    with pytest.raises(ValueError):
        record_hash({**a, "received_at": datetime(2026, 3, 2, 9, 15)})


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)),
       st.integers(-12 * 60, 14 * 60))
def test_record_hash_ignores_how_the_instant_is_written(dt, offset_minutes):
    base = {"order_no": "A1", "received_at": dt.replace(tzinfo=UTC), "content": "x"}
    moved = {**base, "received_at": base["received_at"].astimezone(timezone(timedelta(minutes=offset_minutes)))}
    assert record_hash(base) == record_hash(moved)


def test_headers_fixture_matches_default_mapping():
    mapped = {h for names in MAPPING.columns.values() for h in names}
    assert set(HEADERS) <= mapped


def test_a_mapping_file_that_cannot_be_read_is_said_plainly(tmp_path):
    """A column mapping saved in GBK, or not YAML, is refused in plain Chinese (a clerk uploads it with the file)."""
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("columns:\n  order_no: 工单编号\n".encode("gb18030"))
    with pytest.raises(MappingError, match="应为UTF-8编码"):
        load_mapping(gbk)
    broken = tmp_path / "broken.yaml"
    broken.write_text("columns:\n  order_no: [工单编号\n  received_at: 来电时间\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"broken.yaml：第\d+行附近格式有误"):
        load_mapping(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 工单编号\n", encoding="utf-8")
    with pytest.raises(MappingError, match="应为YAML格式的列对照"):
        load_mapping(listed)


def test_an_order_that_cannot_be_planned_is_reported_in_chinese():
    class Failing:
        def plan_order(self, record, *, agency_id, now):
            raise ValueError("n too large for the calendar")  # what the deadline code says, for the log

    e = plan_row(Failing(), 7, {}, 1, datetime(2026, 3, 2, tzinfo=CST))  # type: ignore[arg-type]
    assert isinstance(e, RowError) and (e.row, e.code) == (7, "plan_failed")
    assert e.problem_zh.startswith("无法按本机关的时限方案计算") and "calendar" not in e.problem_zh


def test_what_python_cannot_read_is_a_row_or_file_problem_not_a_crash(tmp_path):
    """findings h3 #3, the same class in the other readers: an Excel date cell holding a number no date can be
    (1e20) is that row's invalid time; a mapping file with a 5,000-digit number or nested 20,000 deep is a
    MappingError in Chinese."""
    path = tmp_path / "dates.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(BASIC)
    ws.append(["A1", 1e20, "投诉", "一般", "噪音", None, None, None])
    ws["B2"].number_format = "yyyy-mm-dd hh:mm"
    ws.append(["A2", "2026-03-02 09:15:00", "投诉", "一般", "噪音", None, None, None])
    wb.save(path)
    first, second = iter_records(path, MAPPING)
    assert [(e.column, e.code) for e in first.errors] == [("来电时间", "invalid_datetime")]
    assert second.record is not None and not second.errors
    for name, text in (("big.yaml", "columns:\n  order_no: 工单编号\nheader_row: " + "1" * 5001 + "\n"),
                       ("deep.yaml", "[" * 20_000 + "]" * 20_000)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(MappingError, match="格式有误"):
            load_mapping(tmp_path / name)
