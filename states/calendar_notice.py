"""Parsing an admin's holiday-notice file (YAML or JSON) into special days, all-or-nothing (pure).

The file transcribes one year's 国务院办公厅关于XXXX年部分节假日安排的通知 (scope "national") or an
agency's local closures (any other scope, e.g. a Yi prefecture's 火把节; 全国年节及纪念日放假办法第四条)::

    year: 2027
    document: 国办发明电〔2026〕N号
    scope: national
    holidays:
      - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
    workdays: [2027-01-04]          # or {date: 2027-01-04, name: 元旦调休}

Every problem found is reported at once in a NoticeError, each with its line number and a Chinese
message; nothing partial is ever returned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import yaml

from states.calendar import WorkCalendar
from states.calendar_fixed import FixedHolidays
from states.calendar_model import WEEKDAY_ZH, SpecialDay, merge_scopes

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a holiday notice may be for (deadlines run in these)
MAX_HOLIDAY_SPAN = 15  # days; a longer block is almost certainly a typo in a year or month
DEFAULT_MAKEUP_NAME = "调休"

_TOP_KEYS = ("year", "document", "scope", "holidays", "workdays")
_REQUIRED_TOP = ("year", "document", "holidays")
_HOLIDAY_KEYS = ("name", "start", "end")
_WORKDAY_KEYS = ("date", "name")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class NoticeProblem:
    """One problem in a notice file: 1-based line (None if unknown), Chinese and English messages."""

    line: int | None
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        """The Chinese message (alias of ``message_zh``)."""
        return self.message_zh


class NoticeError(ValueError):
    """A notice file was rejected; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[NoticeProblem], filename: str = "<input>") -> None:
        self.problems: tuple[NoticeProblem, ...] = tuple(problems)
        self.filename = filename
        parts = [f"line {p.line}: {p.message_en}" if p.line else p.message_en for p in self.problems]
        super().__init__(f"{filename}: {len(self.problems)} problem(s): " + "; ".join(parts))

    @property
    def line(self) -> int | None:
        """Line of the first problem."""
        return self.problems[0].line if self.problems else None

    @property
    def message_zh(self) -> str:
        """All problems, one Chinese sentence each, with line numbers."""
        return "；".join(f"第 {p.line} 行：{p.message_zh}" if p.line else p.message_zh for p in self.problems)


@dataclass(frozen=True)
class NoticeData:
    """One parsed notice: the year, its document number, scope, expanded days, and the plain data."""

    year: int
    document: str
    scope: str
    holidays: list[SpecialDay]
    workdays: list[SpecialDay]
    raw: dict[str, Any] = field(compare=False)

    def special_days(self) -> list[SpecialDay]:
        """Holidays and make-up days together, in date order."""
        return sorted([*self.holidays, *self.workdays], key=lambda sd: sd.day)


def calendar_from_notices(notices: Iterable[NoticeData], *, version: int = 0,
                          fixed: FixedHolidays | None = None) -> WorkCalendar:
    """A WorkCalendar from national notices (they define the covered years) and local ones (they override);
    ``fixed``: the fixed-date statutory holidays assumed for the years no national notice covers."""
    national: list[SpecialDay] = []
    local: list[SpecialDay] = []
    covered: set[int] = set()
    for notice in notices:
        if notice.scope == "national":
            if notice.year in covered:
                raise ValueError(f"two national notices for {notice.year}")
            covered.add(notice.year)
            national.extend(notice.special_days())
        else:
            local.extend(notice.special_days())
    return WorkCalendar(merge_scopes(national, local), covered, version, fixed=fixed)


# ----- a tiny node tree with line numbers, built from YAML (or from JSON values as a fallback) ------


@dataclass
class _Node:
    kind: str  # "map" | "seq" | "scalar"
    line: int | None
    tag: str = "str"  # scalars: "str", "int", "date", "float", "bool", "null"
    text: str = ""
    items: list[_Node] = field(default_factory=list)
    pairs: list[tuple[_Node, _Node]] = field(default_factory=list)


def _from_yaml(node: yaml.Node) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        return _Node("map", line, pairs=[(_from_yaml(k), _from_yaml(v)) for k, v in node.value])
    if isinstance(node, yaml.SequenceNode):
        return _Node("seq", line, items=[_from_yaml(v) for v in node.value])
    tag = node.tag.rsplit(":", 1)[-1]
    return _Node("scalar", line, tag="date" if tag == "timestamp" else tag, text=str(node.value))


def _from_json(value: Any) -> _Node:
    if isinstance(value, dict):
        return _Node(
            "map", None, pairs=[(_Node("scalar", None, text=k), _from_json(v)) for k, v in value.items()]
        )
    if isinstance(value, list):
        return _Node("seq", None, items=[_from_json(v) for v in value])
    if value is None:
        return _Node("scalar", None, tag="null", text="null")
    if isinstance(value, bool):
        return _Node("scalar", None, tag="bool", text=str(value).lower())
    tag = {int: "int", float: "float"}.get(type(value), "str")
    return _Node("scalar", None, tag=tag, text=str(value))


def _plain(node: _Node) -> Any:
    """JSON-serialisable plain data (dates stay ISO strings)."""
    if node.kind == "map":
        return {k.text: _plain(v) for k, v in node.pairs}
    if node.kind == "seq":
        return [_plain(v) for v in node.items]
    if node.tag == "int":
        return int(node.text) if re.fullmatch(r"[-+]?\d{1,4000}", node.text) else node.text
    if node.tag == "null":
        return None
    if node.tag == "bool":
        return node.text.lower() in ("true", "yes", "on")
    return node.text


def _load(text: str, filename: str) -> _Node:
    """Parse text into a node tree; syntax errors become a NoticeError with the line."""
    json_value: Any = None
    is_json = filename.lower().endswith(".json")
    if is_json:
        try:
            json_value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise NoticeError(
                [NoticeProblem(exc.lineno, f"JSON 格式错误：{exc.msg}", f"invalid JSON: {exc.msg}")], filename
            ) from exc
        except ValueError as exc:  # a number past Python's 4,300 digits
            raise NoticeError([NoticeProblem(None, "JSON 格式错误：数字的位数过多", f"invalid JSON: {exc}")],
                              filename) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        if is_json:
            return _from_json(json_value)  # valid JSON that YAML cannot read: no line numbers
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise NoticeError(
            [NoticeProblem(line, f"YAML 格式错误：{exc.problem}", f"invalid YAML: {exc.problem}")], filename
        ) from exc
    except yaml.YAMLError as exc:
        if is_json:
            return _from_json(json_value)
        raise NoticeError([NoticeProblem(None, "YAML 格式错误", f"invalid YAML: {exc}")], filename) from exc
    if root is None:
        raise NoticeError([NoticeProblem(1, "文件为空", "the file is empty")], filename)
    return _from_yaml(root)


def parse_notice(text: str, filename: str = "<input>") -> NoticeData:
    """Parse and validate a holiday notice; raises NoticeError listing every problem, or returns it all."""
    try:
        root = _load(text, filename)
    except RecursionError as exc:  # lists or mappings nested thousands deep (the parsers and the tree recurse)
        raise NoticeError([NoticeProblem(None, "文件嵌套过深，无法读取", "nested too deep")], filename) from exc
    return _Validator(filename).run(root)


class _Validator:
    """Collects every problem in one pass over the node tree."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[NoticeProblem] = []

    def err(self, node: _Node | None, zh: str, en: str, line: int | None = None) -> None:
        self.problems.append(NoticeProblem(line if node is None else node.line, zh, en))

    def mapping(
        self, node: _Node, allowed: tuple[str, ...], required: tuple[str, ...], where: str
    ) -> dict[str, _Node]:
        """Check a mapping's keys: duplicates, unknown, missing. Returns key -> value node."""
        if node.kind != "map":
            self.err(node, f"{where}应为键值映射", f"{where!r} must be a mapping")
            return {}
        found: dict[str, _Node] = {}
        for key, value in node.pairs:
            if key.kind != "scalar" or key.text not in allowed:
                self.err(
                    key,
                    f"{where}中有未知字段“{key.text}”（允许：{'、'.join(allowed)}）",
                    f"unknown key {key.text!r} in {where} (allowed: {', '.join(allowed)})",
                )
            elif key.text in found:
                self.err(key, f"{where}中字段“{key.text}”重复", f"duplicate key {key.text!r} in {where}")
            else:
                found[key.text] = value
        for name in required:
            if name not in found:
                self.err(node, f"{where}缺少必填字段“{name}”", f"missing required key {name!r} in {where}")
        return found

    def text(self, node: _Node, what: str) -> str | None:
        if node.kind != "scalar" or node.tag != "str" or not node.text.strip():
            self.err(node, f"{what}应为非空文字", f"{what} must be non-empty text")
            return None
        return node.text.strip()

    def day(self, node: _Node, year: int | None, what: str) -> date | None:
        parsed: date | None = None
        if node.kind == "scalar" and node.tag in ("str", "date") and _DATE_RE.match(node.text):
            try:
                parsed = date.fromisoformat(node.text)
            except ValueError:
                parsed = None
        if parsed is None:
            self.err(
                node,
                f"{what}日期格式错误：“{node.text}”，应为 YYYY-MM-DD",
                f"{what}: malformed date {node.text!r}, expected YYYY-MM-DD",
            )
            return None
        if year is not None and parsed.year != year:
            self.err(
                node,
                f"{what}日期 {parsed.isoformat()} 不在 {year} 年内",
                f"{what}: date {parsed.isoformat()} is outside year {year}",
            )
        return parsed

    def run(self, root: _Node) -> NoticeData:
        top = self.mapping(root, _TOP_KEYS, _REQUIRED_TOP, "通知")
        year = self.year(top.get("year"))
        document = self.text(top["document"], "文号（document）") if "document" in top else None
        scope = self.text(top["scope"], "适用范围（scope）") if "scope" in top else "national"
        holidays, holiday_lines = self.holidays(top.get("holidays"), year, scope or "national")
        workdays = self.workdays(top.get("workdays"), year, scope or "national", holiday_lines)
        if self.problems or year is None or document is None or scope is None:
            raise NoticeError(self.problems, self.filename)
        return NoticeData(year, document, scope, holidays, workdays, _plain(root))

    def year(self, node: _Node | None) -> int | None:
        if node is None:
            return None
        if node.kind != "scalar" or node.tag != "int" or not _YEAR_RE.match(node.text):
            self.err(
                node,
                f"年份（year）应为四位整数，而不是“{node.text}”",
                f"year must be a four-digit integer, not {node.text!r}",
            )
            return None
        year = int(node.text)
        if not FIRST_YEAR <= year <= LAST_YEAR:  # a typo (0027, 9999) would file a calendar for a year nobody works in
            self.err(node, f"年份（year）应在 {FIRST_YEAR}—{LAST_YEAR} 之间，而不是 {node.text}",
                     f"year must be between {FIRST_YEAR} and {LAST_YEAR}, not {node.text}")
            return None
        return year

    def holidays(
        self, node: _Node | None, year: int | None, scope: str
    ) -> tuple[list[SpecialDay], dict[date, int | None]]:
        days: list[SpecialDay] = []
        lines: dict[date, int | None] = {}
        if node is None:
            return days, lines
        if node.kind != "seq":
            self.err(node, "放假安排（holidays）应为列表", "holidays must be a list")
            return days, lines
        for item in node.items:
            fields = self.mapping(item, _HOLIDAY_KEYS, ("name", "start"), "放假条目")
            name = self.text(fields["name"], "节日名称（name）") if "name" in fields else None
            start = self.day(fields["start"], year, "开始") if "start" in fields else None
            end = self.day(fields["end"], year, "结束") if "end" in fields else start
            if name is None or start is None or end is None:
                continue
            if end < start:
                self.err(
                    fields["end"],
                    f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}",
                    f"end {end.isoformat()} is before start {start.isoformat()}",
                )
                continue
            span = (end - start).days + 1
            if span > MAX_HOLIDAY_SPAN:
                self.err(
                    item,
                    f"放假区间 {start.isoformat()} 至 {end.isoformat()} 共 {span} 天，超过 {MAX_HOLIDAY_SPAN} 天",
                    f"holiday block of {span} days exceeds {MAX_HOLIDAY_SPAN}",
                )
                continue
            for offset in range(span):
                d = start + timedelta(days=offset)
                if d in lines:
                    self.err(
                        item,
                        f"放假日期 {d.isoformat()} 重复（另见第 {lines[d]} 行）",
                        f"holiday date {d.isoformat()} listed twice (see line {lines[d]})",
                    )
                    continue
                lines[d] = item.line
                days.append(SpecialDay(d, "holiday", name, scope))
        return days, lines

    def workdays(
        self, node: _Node | None, year: int | None, scope: str, holiday_lines: dict[date, int | None]
    ) -> list[SpecialDay]:
        days: list[SpecialDay] = []
        if node is None:
            return days
        if node.kind != "seq":
            self.err(node, "调休上班日（workdays）应为列表", "workdays must be a list")
            return days
        seen: set[date] = set()
        for item in node.items:
            name: str | None = DEFAULT_MAKEUP_NAME
            if item.kind == "map":
                fields = self.mapping(item, _WORKDAY_KEYS, ("date",), "调休条目")
                d = self.day(fields["date"], year, "调休上班") if "date" in fields else None
                if "name" in fields:
                    name = self.text(fields["name"], "调休名称（name）")
            else:
                d = self.day(item, year, "调休上班")
            if d is None or name is None:
                continue
            if d in holiday_lines:
                self.err(
                    item,
                    f"{d.isoformat()} 既是放假日（第 {holiday_lines[d]} 行）又是调休上班日",
                    f"{d.isoformat()} is both a day off (line {holiday_lines[d]}) and a make-up working day",
                )
            elif d.weekday() < 5:
                self.err(
                    item,
                    f"调休上班日应为周末：{d.isoformat()} 是{WEEKDAY_ZH[d.weekday()]}",
                    f"make-up working day {d.isoformat()} is a weekday; it must be a Saturday or Sunday",
                )
            elif d in seen:
                self.err(
                    item, f"调休上班日 {d.isoformat()} 重复", f"make-up day {d.isoformat()} listed twice"
                )
            else:
                seen.add(d)
                days.append(SpecialDay(d, "workday", name, scope))
        return days
