"""Annual-report tables 二, 三 and 四 (政府信息公开工作年度报告格式, rules.md §3): labels, counts, checks (pure).

Row keys of table 三 are those of ``states.decisions`` ("3.1", "3.3.1" …); "1", "2", "3.7" and "4"
are the rows that are not decision rows. The 2019 (试行) format differs only in that （六）其他处理
is one row, keyed "3.6", with no sub-items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args

from states.wording import APPLICANT_CATEGORIES

ReportFormat = Literal["2021", "2019"]
FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)

NOTE_CELL = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
PENDING = "待填报"  # a cell the system cannot know: the clerk fills it in

# Columns: applicant categories (Disclosure.applicant_category) in the format's order, then 总计.
CATEGORIES: tuple[str, ...] = ("natural", "business", "research", "public_welfare", "legal_service", "other")
CATEGORY_LABELS: dict[str, str] = APPLICANT_CATEGORIES  # the format's column headers are the shared words
TOTAL_LABEL = "总计"
COLUMN_LABELS: tuple[str, ...] = (*(CATEGORY_LABELS[c] for c in CATEGORIES), TOTAL_LABEL)
APPLICANT_HEADER = "申请人情况"
ORGANIZATION_HEADER = "法人或其他组织"

L1_RECEIVED = "一、本年新收政府信息公开申请数量"
L1_CARRIED = "二、上年结转政府信息公开申请数量"
L1_RESULTS = "三、本年度办理结果"
L1_OPEN = "四、结转下年度继续办理"


@dataclass(frozen=True)
class RowDef:
    """One data row of table 三: its key and the labels of its (up to) three label levels."""

    key: str
    path: tuple[str, ...]  # (level-1,) or (level-1, level-2) or (level-1, level-2, level-3)

    @property
    def label(self) -> str:
        """The label written in the row's own (innermost) label cell."""
        return self.path[-1]


def _group(l2: str, prefix: str, items: Iterable[str]) -> tuple[RowDef, ...]:
    return tuple(RowDef(f"{prefix}.{i}", (L1_RESULTS, l2, f"{i}.{t}")) for i, t in enumerate(items, 1))


L2_REFUSE = "（三）不予公开"
L2_UNAVAILABLE = "（四）无法提供"
L2_NOT_PROCESSED = "（五）不予处理"
L2_OTHER = "（六）其他处理"

_HEAD = (
    RowDef("1", (L1_RECEIVED,)),
    RowDef("2", (L1_CARRIED,)),
    RowDef("3.1", (L1_RESULTS, "（一）予以公开")),
    RowDef("3.2", (L1_RESULTS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")),
    *_group(L2_REFUSE, "3.3", (
        "属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
        "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项",
    )),
    *_group(L2_UNAVAILABLE, "3.4", ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")),
    *_group(L2_NOT_PROCESSED, "3.5", (
        "信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
        "要求行政机关确认或重新出具已获取信息",
    )),
)
_OTHER_2021 = _group(L2_OTHER, "3.6", (
    "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他",
))
_OTHER_2019 = (RowDef("3.6", (L1_RESULTS, L2_OTHER)),)
_TAIL = (RowDef("3.7", (L1_RESULTS, "（七）总计")), RowDef("4", (L1_OPEN,)))

ROWS: dict[ReportFormat, tuple[RowDef, ...]] = {
    "2021": (*_HEAD, *_OTHER_2021, *_TAIL),
    "2019": (*_HEAD, *_OTHER_2019, *_TAIL),
}
# Decision rows (the rows of 三 an application can be concluded under), per format.
RESULT_KEYS: dict[ReportFormat, tuple[str, ...]] = {
    f: tuple(r.key for r in rows if r.key.startswith("3.") and r.key != "3.7") for f, rows in ROWS.items()
}


def row_in_format(row_key: str, fmt: ReportFormat) -> str | None:
    """The row of ``fmt`` that a stored (2021) row key is counted under, or None if unknown."""
    if fmt == "2019" and (row_key == "3.6" or row_key.startswith("3.6.")):
        return "3.6" if row_key in ("3.6", *RESULT_KEYS["2021"]) else None
    return row_key if row_key in RESULT_KEYS[fmt] else None


class UnknownCategory(ValueError):
    """An applicant category that is not one of the six columns of table 三."""

    def __init__(self, category: str) -> None:
        super().__init__(f"未知的申请人类别 {category!r}（应为 {', '.join(CATEGORIES)} 之一）")
        self.category = category


def _vector(counts: Mapping[str, int]) -> tuple[int, ...]:
    """Six per-category counts followed by their total."""
    for c in counts:
        if c not in CATEGORY_LABELS:
            raise UnknownCategory(c)
    six = tuple(int(counts.get(c, 0)) for c in CATEGORIES)
    return (*six, sum(six))


@dataclass(frozen=True)
class Table3:
    """Table 三: one 7-value vector (six columns + 总计) per row key, in the format's row order."""

    fmt: ReportFormat
    values: dict[str, tuple[int, ...]]
    unclassified: tuple[int, ...] = (0,) * 7  # concluded in the year under a row the format lacks

    @classmethod
    def from_counts(
        cls,
        received: Mapping[str, int],
        carried: Mapping[str, int],
        concluded_by_row: Mapping[str, Mapping[str, int]],
        open_at_end: Mapping[str, int],
        fmt: ReportFormat = "2021",
    ) -> Table3:
        """Build the table from per-category counts; ``concluded_by_row`` is keyed by stored row key."""
        by_row: dict[str, list[int]] = {k: [0] * 7 for k in RESULT_KEYS[fmt]}
        unclassified = [0] * 7
        for stored_key, counts in concluded_by_row.items():
            key = row_in_format(stored_key, fmt)
            target = by_row[key] if key is not None else unclassified
            for i, v in enumerate(_vector(counts)):
                target[i] += v
        values: dict[str, tuple[int, ...]] = {"1": _vector(received), "2": _vector(carried)}
        values.update({k: tuple(v) for k, v in by_row.items()})
        values["3.7"] = tuple(sum(by_row[k][i] for k in RESULT_KEYS[fmt]) for i in range(7))
        values["4"] = _vector(open_at_end)
        return cls(fmt, values, tuple(unclassified))

    @property
    def rows(self) -> tuple[RowDef, ...]:
        return ROWS[self.fmt]

    def value(self, key: str, column: int) -> int:
        return self.values[key][column]


# Table 四: reconsideration and the two litigation groups, 5 numbers each.
REMEDY_KINDS: tuple[str, ...] = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
REMEDY_BUCKETS: tuple[str, ...] = ("upheld", "corrected", "other", "pending")
TABLE4_RESULT_LABELS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
TABLE4_GROUP_LABELS: dict[str, str] = {
    "reconsideration": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_reconsideration": "复议后起诉",
}
TABLE4_LITIGATION = "行政诉讼"


def remedy_bucket(outcome: str, decided: bool) -> str:
    """The table-四 column of a case: 尚未审结 unless decided by 31 Dec; an unknown outcome is 其他结果."""
    if not decided:
        return "pending"
    return outcome if outcome in ("upheld", "corrected") else "other"


@dataclass(frozen=True)
class Table4:
    """Table 四's one data row: 15 integers (复议 5, 直接起诉 5, 复议后起诉 5)."""

    values: tuple[int, ...]

    @classmethod
    def from_counts(cls, counts: Mapping[tuple[str, str], int]) -> Table4:
        """Build from ``{(kind, bucket): n}`` with kinds in REMEDY_KINDS and buckets in REMEDY_BUCKETS."""
        for kind, bucket in counts:
            if kind not in REMEDY_KINDS or bucket not in REMEDY_BUCKETS:
                raise ValueError(f"unknown remedy kind/bucket {(kind, bucket)!r}")
        out: list[int] = []
        for kind in REMEDY_KINDS:
            four = [int(counts.get((kind, b), 0)) for b in REMEDY_BUCKETS]
            out.extend((*four, sum(four)))
        return cls(tuple(out))


# Table 二: the blocks of each format; only the fee cell of the 2021 （八）项 is known to the system.
@dataclass(frozen=True)
class Table2Block:
    """One 第二十条第（N）项 block: its column headers (after 信息内容) and row labels."""

    item: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]


TABLE2_BLOCKS: dict[ReportFormat, tuple[Table2Block, ...]] = {
    "2021": (
        Table2Block("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), ("规章", "行政规范性文件")),
        Table2Block("第二十条第（五）项", ("本年处理决定数量",), ("行政许可",)),
        Table2Block("第二十条第（六）项", ("本年处理决定数量",), ("行政处罚", "行政强制")),
        Table2Block("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("行政事业性收费",)),
    ),
    "2019": (
        Table2Block("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"), ("规章", "规范性文件")),
        Table2Block("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量"), ("行政许可", "其他对外管理服务事项")),
        Table2Block("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"), ("行政处罚", "行政强制")),
        Table2Block("第二十条第（八）项", ("上一年项目数量", "本年增/减"), ("行政事业性收费",)),
        Table2Block("第二十条第（九）项", ("采购项目数量", "采购总金额"), ("政府集中采购",)),
    ),
}
INFO_CONTENT = "信息内容"
FEE_NOTE = "系统仅统计依《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取的信息处理费；其他行政事业性收费由填报人补充。"
_WAN = Decimal(10000)
_FOUR_PLACES = Decimal("0.0001")


def yuan_to_wan(yuan: int) -> Decimal:
    """Yuan to 万元 with exactly four decimals (1 元 = 0.0001 万元, so this is exact)."""
    return (Decimal(yuan) / _WAN).quantize(_FOUR_PLACES)


@dataclass(frozen=True)
class Table2:
    """Table 二: every cell is for the clerk (None) except the 2021 fee amount."""

    fmt: ReportFormat
    fee_yuan: int  # information-processing fees paid in the year

    @property
    def blocks(self) -> tuple[Table2Block, ...]:
        return TABLE2_BLOCKS[self.fmt]

    @property
    def fee_wan(self) -> Decimal:
        return yuan_to_wan(self.fee_yuan)

    def cell(self, block: Table2Block, row: str, column: int) -> Decimal | None:
        """The known value of a cell, or None (待填报)."""
        if self.fmt == "2021" and block.item == "第二十条第（八）项" and row == "行政事业性收费" and column == 0:
            return self.fee_wan
        return None


@dataclass(frozen=True)
class Check:
    """One check rule's outcome."""

    name_zh: str
    column: str
    ok: bool
    lhs: int
    rhs: int


def _check(name: str, column: str, lhs: int, rhs: int) -> Check:
    return Check(name, column, lhs == rhs, lhs, rhs)


def check_table3(t: Table3) -> list[Check]:
    """The header note's balance, the （七）总计 sum, the 总计 column and the unclassified count."""
    out: list[Check] = []
    results = RESULT_KEYS[t.fmt]
    for i, col in enumerate(COLUMN_LABELS):
        v = t.values
        out.append(_check("第一项加第二项之和等于第三项（七）总计加第四项", col,
                          v["1"][i] + v["2"][i], v["3.7"][i] + v["4"][i]))
        out.append(_check("三（七）总计等于各项办理结果之和", col, v["3.7"][i], sum(v[k][i] for k in results)))
    for row in t.rows:
        vec = t.values[row.key]
        out.append(_check(f"总计列等于六类申请人之和（{row.key} {row.label}）", TOTAL_LABEL, vec[6], sum(vec[:6])))
    out.append(_check("本年办结的申请均已归入办理结果", TOTAL_LABEL, t.unclassified[6], 0))
    return out


def check_table4(t: Table4) -> list[Check]:
    """Each 总计 of table 四 equals the sum of the four numbers before it."""
    out = []
    for g, kind in enumerate(REMEDY_KINDS):
        five = t.values[g * 5: g * 5 + 5]
        label = TABLE4_GROUP_LABELS[kind]
        name = f"{label}：总计等于四项之和" if g == 0 else f"{TABLE4_LITIGATION}（{label}）：总计等于四项之和"
        out.append(_check(name, label, five[4], sum(five[:4])))
    return out


def checks(table: Table3 | Table4) -> list[Check]:
    """The check rules of one table."""
    return check_table3(table) if isinstance(table, Table3) else check_table4(table)


@dataclass(frozen=True)
class AnnualReport:
    """The computed parts of one year's report for one agency (or all agencies)."""

    year: int
    fmt: ReportFormat
    agency_name: str
    table2: Table2
    table3: Table3
    table4: Table4
    extra_checks: tuple[Check, ...] = field(default=())
    as_of: date | None = None  # the day the report was produced (a report of the running year is partial)

    @property
    def data_as_of(self) -> date:
        """The last day the figures cover: 31 December, or the production day while the year is running."""
        year_end = date(self.year, 12, 31)
        return year_end if self.as_of is None or self.as_of > year_end else self.as_of

    @property
    def checks(self) -> list[Check]:
        return [*check_table3(self.table3), *check_table4(self.table4), *self.extra_checks]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data; table 二 cells are None (待填报) or a 4-decimal string."""
        t2_blocks = []
        for b in self.table2.blocks:
            rows = []
            for r in b.rows:
                vals = [self.table2.cell(b, r, i) for i in range(len(b.columns))]
                rows.append({"label": r, "values": [None if v is None else str(v) for v in vals]})
            t2_blocks.append({"item": b.item, "columns": [INFO_CONTENT, *b.columns], "rows": rows})
        return {
            "year": self.year,
            "format": self.fmt,
            "table3": {
                "columns": list(COLUMN_LABELS),
                "rows": [{"key": r.key, "label": r.label, "path": list(r.path),
                          "values": list(self.table3.values[r.key])} for r in self.table3.rows],
            },
            "table4": list(self.table4.values),
            "table2": {
                "blocks": t2_blocks,
                "fee_collected_yuan": self.table2.fee_yuan,
                "fee_collected_wan": str(self.table2.fee_wan),
                "pending_marker": PENDING,
                "note": FEE_NOTE,
            },
            "checks": [{"name": c.name_zh, "column": c.column, "ok": c.ok, "lhs": c.lhs, "rhs": c.rhs}
                       for c in self.checks],
        }
