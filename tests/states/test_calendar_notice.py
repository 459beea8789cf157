"""Holiday-notice files: valid YAML/JSON parse; every contradiction is rejected with its line, nothing returned."""

from __future__ import annotations

import json
from datetime import date

import pytest

from states.calendar_notice import NoticeData, NoticeError, calendar_from_notices, parse_notice

D = date.fromisoformat

GOOD = """\
year: 2027
document: 国办发明电〔2026〕N号
scope: national
holidays:
  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
  - name: 春节
    start: 2027-02-05
    end: 2027-02-13
workdays:
  - 2027-02-20
  - {date: 2027-02-21, name: 春节调休}
"""


def problems(text: str, filename: str = "notice.yaml") -> list[tuple[int | None, str]]:
    with pytest.raises(NoticeError) as exc:
        parse_notice(text, filename)
    return [(p.line, p.message_zh) for p in exc.value.problems]


def test_good_notice() -> None:
    n = parse_notice(GOOD, "2027.yaml")
    assert (n.year, n.document, n.scope) == (2027, "国办发明电〔2026〕N号", "national")
    assert [sd.day for sd in n.holidays][:3] == [D("2027-01-01"), D("2027-01-02"), D("2027-01-03")]
    assert len(n.holidays) == 3 + 9
    assert {sd.name for sd in n.holidays} == {"元旦", "春节"}
    assert [(sd.day, sd.name, sd.kind) for sd in n.workdays] == [
        (D("2027-02-20"), "调休", "workday"),
        (D("2027-02-21"), "春节调休", "workday"),
    ]
    assert n.raw["holidays"][0] == {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}
    json.dumps(n.raw)  # plain data


def test_fixture_file(notice_2027: NoticeData) -> None:
    assert notice_2027.year == 2027 and notice_2027.scope == "national"
    assert D("2027-06-09") in {sd.day for sd in notice_2027.holidays}  # single day, no end


def test_local_scope() -> None:
    text = "year: 2026\ndocument: 楚雄州通知\nscope: '532300'\nholidays:\n  - {name: 火把节, start: 2026-08-07, end: 2026-08-09}\n"
    n = parse_notice(text)
    assert n.scope == "532300" and all(sd.scope == "532300" for sd in n.holidays)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (GOOD.replace("  - 2027-02-20", "  - 2027-01-02"), 10, "既是放假日（第 5 行）又是调休上班日"),
        (GOOD.replace("end: 2027-01-03", "end: 2028-01-03"), 5, "不在 2027 年内"),
        (GOOD.replace("  - 2027-02-20", "  - 2026-12-26"), 10, "不在 2027 年内"),
        (GOOD.replace("    end: 2027-02-13", "    end: 2027-02-01"), 8, "早于开始日期"),
        (GOOD.replace("scope: national", "scope: national\nsource: x"), 4, "未知字段“source”"),
        (GOOD.replace("{name: 元旦, start", "{name: 元旦, days: 3, start"), 5, "未知字段“days”"),
        (GOOD.replace("{date: 2027-02-21, name", "{date: 2027-02-21, note: x, name"), 11, "未知字段“note”"),
        (GOOD.replace("year: 2027\n", ""), 1, "缺少必填字段“year”"),
        (GOOD.replace("document: 国办发明电〔2026〕N号\n", ""), 1, "缺少必填字段“document”"),
        (GOOD.split("holidays:")[0], 1, "缺少必填字段“holidays”"),
        (GOOD.replace("start: 2027-01-01", "start: 2027-13-01"), 5, "日期格式错误"),
        (GOOD.replace("start: 2027-01-01", "start: 2027/01/01"), 5, "日期格式错误"),
        (GOOD.replace("  - 2027-02-20", "  - 2027-02-30"), 10, "日期格式错误"),
        (GOOD.replace("year: 2027", "year: '2027'"), 1, "年份（year）应为四位整数"),
        (GOOD.replace("year: 2027", "year: 2027.0"), 1, "年份（year）应为四位整数"),
        (GOOD.replace("year: 2027", "year: 二〇二七"), 1, "年份（year）应为四位整数"),
        (GOOD.replace("year: 2027", "year: 0027"), 1, "年份（year）应在 2000—2100 之间，而不是 0027"),
        (GOOD.replace("year: 2027", "year: 9999"), 1, "年份（year）应在 2000—2100 之间，而不是 9999"),
        (GOOD.replace("document: 国办发明电〔2026〕N号", "document: ''"), 2, "文号（document）应为非空文字"),
        (GOOD.replace("document: 国办发明电〔2026〕N号", "document:"), 2, "文号（document）应为非空文字"),
        (GOOD.replace("  - 2027-02-20", "  - 2027-02-22"), 10, "调休上班日应为周末：2027-02-22 是星期一"),
        (GOOD.replace("end: 2027-02-13", "end: 2027-02-20"), 6, "超过 15 天"),
        (GOOD.replace("year: 2027", "year: 2027\nyear: 2028"), 2, "字段“year”重复"),
        (GOOD.replace("{name: 元旦, start", "{name: '', start"), 5, "节日名称（name）应为非空文字"),
        (GOOD + "  - 2027-02-20\n", 12, "调休上班日 2027-02-20 重复"),
        (
            GOOD.replace(
                "{name: 元旦, start: 2027-01-01, end: 2027-01-03}", "{name: 元旦, start: 2027-02-13}"
            ),
            6,
            "放假日期 2027-02-13 重复（另见第 5 行）",
        ),
        ("- 1\n- 2\n", 1, "通知应为键值映射"),
        ("", 1, "文件为空"),
        ("year: 2027\n  bad: [", 2, "YAML 格式错误"),
    ],
)
def test_rejections(text: str, line: int, fragment: str) -> None:
    found = problems(text)
    assert any(ln == line and fragment in msg for ln, msg in found), found


def test_all_problems_reported_at_once() -> None:
    text = GOOD.replace("year: 2027", "year: 2O27").replace("  - 2027-02-20", "  - 2027-02-22")
    text = text.replace("scope: national", "scope: national\nnotes: x")
    with pytest.raises(NoticeError) as exc:
        parse_notice(text, "bad.yaml")
    err = exc.value
    assert [p.line for p in err.problems] == [4, 1, 11]
    assert err.line == 4
    assert str(err).startswith("bad.yaml: 3 problem(s): line 4: unknown key 'notes'")
    assert "第 1 行：年份（year）应为四位整数" in err.message_zh
    assert isinstance(err, ValueError)
    assert err.problems[0].message == err.problems[0].message_zh


def test_json_good_and_bad() -> None:
    doc = {
        "year": 2027,
        "document": "国办发明电〔2026〕N号",
        "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"}],
        "workdays": [{"date": "2027-01-04", "name": "元旦调休"}],
    }
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    with pytest.raises(NoticeError) as exc:  # 2027-01-04 is a Monday
        parse_notice(text, "2027.json")
    (problem,) = exc.value.problems
    assert problem.line == 12 and "调休上班日应为周末" in problem.message_zh
    doc["workdays"] = [{"date": "2027-01-09", "name": "元旦调休"}]
    n = parse_notice(json.dumps(doc, ensure_ascii=False, indent=2), "2027.json")
    assert n.scope == "national" and n.workdays[0].day == D("2027-01-09")
    assert n.raw == doc


def test_json_syntax_error_line() -> None:
    found = problems('{\n  "year": 2027,\n  "document": "x",\n}\n', "n.json")
    assert found[0][0] == 4 and "JSON 格式错误" in found[0][1]


def test_json_with_tabs_falls_back_without_lines() -> None:
    """Valid JSON that YAML cannot compose (tab indentation) still validates, with line None."""
    text = '{\n\t"year": 2027,\n\t"document": "x",\n\t"holidays": [],\n\t"extra": 1\n}'
    found = problems(text, "n.json")
    assert found == [(None, "通知中有未知字段“extra”（允许：year、document、scope、holidays、workdays）")]


def test_seed_round_trips_through_parser(seed_notices: list[NoticeData]) -> None:
    """Every seeded year exported in the notice format re-imports to the same days (2004–2026)."""
    assert [n.year for n in seed_notices] == list(range(2004, 2027))
    for notice in seed_notices:
        again = parse_notice(json.dumps(notice.raw, ensure_ascii=False), f"{notice.year}.json")
        assert again == notice, notice.year


def test_seed_names_and_document(seed_notices: list[NoticeData]) -> None:
    n2025 = next(n for n in seed_notices if n.year == 2025)
    assert n2025.document == "chinese-calendar 1.11.0 数据（2025年）"
    names = {sd.day.isoformat(): sd.name for sd in n2025.special_days()}
    assert names["2025-10-06"] == "中秋节"
    assert names["2025-04-04"] == "清明节"
    assert names["2025-09-28"] == "国庆节"  # the make-up day names the holiday it compensates
    assert names["2025-02-01"] == "春节"  # weekend day inside the block is listed too


def test_calendar_from_notices_rejects_two_national_for_one_year(notice_2027: NoticeData) -> None:
    with pytest.raises(ValueError, match="two national notices for 2027"):
        calendar_from_notices([notice_2027, notice_2027])


@pytest.mark.parametrize(("text", "filename", "zh"), [
    ('{"year": ' + "1" * 5001 + "}", "n.json", "数字的位数过多"),
    ("[" * 100_000 + "]" * 100_000, "n.json", "嵌套过深"),
    ("[" * 100_000 + "]" * 100_000, "n.yaml", "嵌套过深"),
    ("".join(" " * i + "- \n" for i in range(3000)), "n.yaml", "嵌套过深"),
])
def test_a_file_python_cannot_read_is_a_notice_error(text: str, filename: str, zh: str) -> None:
    """A 5,000-digit number or nesting thousands deep is a NoticeError in Chinese, not a crash (findings h3 #3)."""
    [(_, message)] = problems(text, filename)
    assert zh in message
