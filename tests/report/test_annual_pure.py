"""Layout, labels, counts and check rules of the annual-report tables (pure)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from states import decisions
from states.annual_report import (
    COLUMN_LABELS,
    NOTE_CELL,
    RESULT_KEYS,
    ROWS,
    ReportFormat,
    Table3,
    Table4,
    UnknownCategory,
    check_table3,
    checks,
    row_in_format,
    yuan_to_wan,
)
from states.annual_report_grid import table3_grid, table4_grid
from states.annual_report_model import ApplicationRecord, RemedyRecord, aggregate, aggregate_remedies

LABELS_2021 = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
    "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]


def test_2021_rows_and_columns_are_exact():
    assert [r.label for r in ROWS["2021"]] == LABELS_2021
    assert COLUMN_LABELS == ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    assert NOTE_CELL == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert "\u201c三安全一稳定\u201d" in LABELS_2021[6]


def test_2019_has_one_other_row():
    labels = [r.label for r in ROWS["2019"]]
    assert len(labels) == 23
    assert "（六）其他处理" in labels
    assert not any(label.startswith("3.其他") for label in labels)
    assert row_in_format("3.6.2", "2019") == "3.6"
    assert row_in_format("3.6", "2021") is None
    assert row_in_format("3.9", "2021") is None


def test_every_decision_reason_has_a_row_in_both_formats():
    for reason in decisions.REASONS:
        assert reason.row in RESULT_KEYS["2021"], reason
        assert row_in_format(reason.row, "2019") is not None, reason


def test_merged_layout_of_table3():
    cases: tuple[tuple[ReportFormat, int], ...] = (("2021", 22), ("2019", 20))
    for fmt, results_span in cases:
        grid = table3_grid(Table3.from_counts({}, {}, {}, {}, fmt))
        spans = {c.text: (c.rowspan, c.colspan) for c in grid.cells if c.kind in ("label", "note", "header")}
        assert spans[NOTE_CELL] == (3, 3)
        assert spans["申请人情况"] == (1, 7)
        assert spans["自然人"] == (2, 1) and spans["总计"] == (2, 1) and spans["法人或其他组织"] == (1, 5)
        assert spans["三、本年度办理结果"] == (results_span, 1)
        assert spans["（三）不予公开"] == (8, 1)
        assert spans["（四）无法提供"] == (3, 1)
        assert spans["（五）不予处理"] == (5, 1)
        assert spans["（六）其他处理"] == ((3, 1) if fmt == "2021" else (1, 2))
        assert spans["一、本年新收政府信息公开申请数量"] == (1, 3)
        assert spans["（七）总计"] == (1, 2)
        _assert_tiles(grid)


def test_merged_layout_of_table4():
    grid = table4_grid(Table4.from_counts({}))
    spans = {(c.row, c.text): (c.rowspan, c.colspan) for c in grid.cells if c.kind == "header"}
    assert spans[(0, "行政复议")] == (1, 5)
    assert spans[(0, "行政诉讼")] == (1, 10)
    assert spans[(1, "结果维持")] == (2, 1)
    assert spans[(1, "未经复议直接起诉")] == (1, 5) and spans[(1, "复议后起诉")] == (1, 5)
    assert [c.text for c in grid.cells if c.row == 2] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
    _assert_tiles(grid)


def _assert_tiles(grid):
    """Every grid slot is covered by exactly one cell."""
    seen: dict[tuple[int, int], object] = {}
    for c in grid.cells:
        for r in range(c.row, c.last_row + 1):
            for k in range(c.col, c.last_col + 1):
                assert (r, k) not in seen, (c, seen.get((r, k)))
                seen[(r, k)] = c
    assert len(seen) == grid.n_rows * grid.n_cols


def test_from_counts_and_checks():
    t = Table3.from_counts({"natural": 3, "business": 1}, {"natural": 1},
                           {"3.1": {"natural": 2}, "3.6.3": {"business": 1}}, {"natural": 2})
    assert t.values["1"] == (3, 1, 0, 0, 0, 0, 4)
    assert t.values["3.7"] == (2, 1, 0, 0, 0, 0, 3)
    assert all(c.ok for c in checks(t))
    # a case counted in 三 that was never counted in 一 or 二 breaks the balance of its column
    broken = Table3.from_counts({"natural": 1}, {}, {"3.1": {"natural": 1}, "3.2": {"natural": 1}}, {})
    bad = [c for c in check_table3(broken) if not c.ok]
    assert {(c.name_zh, c.column) for c in bad} == {
        ("第一项加第二项之和等于第三项（七）总计加第四项", "自然人"),
        ("第一项加第二项之和等于第三项（七）总计加第四项", "总计")}


def test_unclassified_rows_fail_a_check():
    t = Table3.from_counts({"other": 1}, {}, {"": {"other": 1}}, {})
    bad = [c for c in check_table3(t) if not c.ok]
    assert [c.name_zh for c in bad][-1] == "本年办结的申请均已归入办理结果"


def test_unknown_category_is_refused():
    try:
        Table3.from_counts({"martian": 1}, {}, {}, {})
    except UnknownCategory as exc:
        assert "martian" in str(exc)
    else:
        raise AssertionError("expected UnknownCategory")


def test_table4_and_its_checks():
    recs = [RemedyRecord("reconsideration", date(2026, 1, 2), date(2026, 2, 1), "upheld"),
            RemedyRecord("reconsideration", date(2026, 11, 2), date(2027, 1, 5), "corrected"),
            RemedyRecord("litigation_direct", date(2026, 3, 1), date(2026, 6, 1), "weird"),
            RemedyRecord("litigation_after_reconsideration", date(2025, 3, 1), None, "pending")]
    t = aggregate_remedies(recs, 2026)
    assert t.values == (1, 0, 0, 1, 2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0)
    assert [c.column for c in checks(t)] == ["行政复议", "未经复议直接起诉", "复议后起诉"]
    assert all(c.ok for c in checks(t))
    assert not checks(Table4((1, 0, 0, 0, 2, *([0] * 10))))[0].ok


def test_fee_in_wan_has_four_decimals():
    assert str(yuan_to_wan(450)) == "0.0450"
    assert str(yuan_to_wan(0)) == "0.0000"
    assert str(yuan_to_wan(1234567)) == "123.4567"


def test_aggregate_counts_carry_over_and_skips_unreceived():
    recs = [ApplicationRecord("natural", date(2025, 12, 31), date(2026, 1, 1), "3.1"),
            ApplicationRecord("natural", None, None, None),
            ApplicationRecord("research", date(2026, 12, 31), None, None)]
    t = aggregate(recs, 2026)
    assert t.values["2"][6] == 1 and t.values["1"][6] == 1 and t.values["4"][6] == 1
    assert t.values["3.1"][0] == 1


def test_states_stay_pure():
    code = ("import sys, states.annual_report, states.annual_report_grid, states.annual_report_model;"
            "bad=[m for m in ('sqlmodel','sqlalchemy','db','workflow','jinja2') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
