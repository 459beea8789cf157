"""Parse a 12345 platform export (.xlsx or JSON Lines) into normalised work-order records (no DB writes).

``iter_records(path, mapping)`` streams ``ParsedRow``s: a record ready for the intake function, or the
row's problems (row number, column, Chinese reason). It never stops at a bad row. ``record_hash`` is a
stable digest of a normalised record, so intake can tell a same repeat from a changed one.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils.datetime import from_excel

from states.hotline import CALLBACK_LABELS, CATEGORY_LABELS, URGENCY_LABELS
from states.inputs import (
    LONG_TEXT,
    MULTI_LINE_MESSAGE,
    SINGLE_LINE_MESSAGE,
    fold_line,
    has_surrogate,
    multiline,
)
from workflow.hotline.mapping import (
    ENUMS,
    FIELDS,
    HISTORY_FIELDS,
    LIST_SEPARATORS,
    REQUIRED,
    ColumnMapping,
    MappingError,
    cell_text,
    find_columns,
    load_mapping,
    locate_columns,
    parse_datetime,
)
from workflow.xlsx_reader import XlsxError, XlsxReader

RECORD_KEYS = ("platform", *FIELDS)
CALLBACK_WORDS = frozenset({*CALLBACK_LABELS, *CALLBACK_LABELS.values()})
ENUM_LABELS: dict[str, dict[str, str]] = {"category": CATEGORY_LABELS, "urgency": URGENCY_LABELS}

Cells = dict[str, tuple[str, Any]]  # field → (column header as written, raw value)


class ImportFormatError(MappingError):
    """The file cannot be read at all (format, sheet, header row)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    problem_zh: str
    code: str = "invalid"  # stable machine code: required, too_long, invalid_datetime, unknown_value, …


@dataclass(frozen=True)
class ParsedRow:
    row_number: int
    record: dict[str, Any] | None  # None when the row has errors
    errors: list[RowError] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)  # what happened before banli (workflow.hotline.history)


def iter_records(path: Path | str, mapping: ColumnMapping | None = None) -> Iterator[ParsedRow]:
    """Stream the rows of an export; the second occurrence of an order number is flagged."""
    path = Path(path)
    mapping = mapping or load_mapping()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, mapping)
    elif suffix in (".jsonl", ".ndjson"):
        rows = _jsonl_rows(path, mapping)
    else:
        raise ImportFormatError(f"不支持的文件类型“{path.suffix}”（支持 .xlsx、.jsonl）")
    seen: dict[str, int] = {}
    for row_number, cells, errors in rows:
        if errors and not cells:  # a line that could not be read at all: that is its problem, not every field
            yield ParsedRow(row_number, None, errors, {})
            continue
        record, problems = _normalise(row_number, cells, mapping, excel=suffix != ".jsonl")
        history, later = _history(row_number, cells, mapping, record, excel=suffix != ".jsonl")
        problems = errors + problems + later
        order_no = cell_text(cells["order_no"][1]) if "order_no" in cells else ""
        if order_no:
            if order_no in seen:
                problems.append(RowError(row_number, cells["order_no"][0], f"工单编号与第{seen[order_no]}行重复",
                                         "duplicate"))
            else:
                seen[order_no] = row_number
        yield ParsedRow(row_number, None if problems else record, problems, history)


_HISTORY_ORDER = ("signed_at", "replied_at", "callback_at", "closed_at")


def _history(row: int, cells: Cells, mapping: ColumnMapping, record: Mapping[str, Any], *, excel: bool
             ) -> tuple[dict[str, Any], list[RowError]]:
    """The history columns of a row (times in order, a reply with its text, a callback with its result)."""
    errors: list[RowError] = []
    out: dict[str, Any] = {}

    def column(f: str) -> str:
        return cells[f][0] if f in cells else HISTORY_FIELDS[f].label

    def fail(f: str, problem: str, code: str) -> None:
        errors.append(RowError(row, column(f), problem, code))

    for f, spec in HISTORY_FIELDS.items():
        raw = cells[f][1] if f in cells else None
        if _blank(raw):
            continue
        if spec.kind == "datetime":
            try:
                out[f] = parse_datetime(from_excel(raw) if excel and isinstance(raw, int | float) else raw, mapping)
            except (ValueError, TypeError, OverflowError):
                fail(f, f"无法识别的时间“{cell_text(raw)}”（应如 2026-03-02 09:15:00 或 2026/3/2 9:15）",
                     "invalid_datetime")
        else:
            checked = multiline(cell_text(raw))
            if checked is None:
                fail(f, f"{spec.label}{MULTI_LINE_MESSAGE}", "control_characters")
            text = checked or ""
            if len(text) > spec.max_length:
                fail(f, f"{spec.label}过长（{len(text)}字，最多{spec.max_length}字）", "too_long")
            out[f] = text
    if "callback_result" in out and out["callback_result"] not in CALLBACK_WORDS:
        fail("callback_result", f"未知的回访结果“{out['callback_result']}”（可选：满意、基本满意、不满意）", "unknown_value")
    pairs = (("replied_at", "reply_text", "反馈了办理结果的工单须填写答复内容"),
             ("reply_text", "replied_at", "填写答复内容的工单须填写反馈时间"),
             ("callback_at", "callback_result", "回访过的工单须填写回访结果"),
             ("callback_result", "callback_at", "填写回访结果的工单须填写回访时间"))
    for have, need, message in pairs:
        if have in out and need not in out:
            fail(need, message, "required")
    for later in ("callback_at", "closed_at"):
        if later in out and "replied_at" not in out and "reply_text" not in out:
            fail(later, f"{HISTORY_FIELDS[later].label}须在反馈办理结果之后：请填写反馈时间和答复内容", "required")
    previous, previous_label = record.get("received_at"), FIELDS["received_at"].label
    for f in _HISTORY_ORDER:
        at = out.get(f)
        if isinstance(at, datetime) and isinstance(previous, datetime) and at < previous:
            fail(f, f"{HISTORY_FIELDS[f].label}早于{previous_label}", "out_of_order")
        if isinstance(at, datetime):
            previous, previous_label = at, HISTORY_FIELDS[f].label
    return out, errors


def _canon_time(v: Any) -> str:
    if isinstance(v, datetime):
        if v.utcoffset() is None:
            raise ValueError("record_hash needs aware datetimes")
        return v.astimezone(UTC).isoformat()
    raise TypeError(f"not JSON serialisable: {v!r}")


def record_hash(record: Mapping[str, Any]) -> str:
    """sha256 over the normalised fields (times in UTC), independent of key order and input formats."""
    body = {k: record.get(k) for k in RECORD_KEYS}  # tuples are written as JSON arrays, like lists
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=_canon_time)
    return hashlib.sha256(text.encode()).hexdigest()


# --- sources ---------------------------------------------------------------------------------------

def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _xlsx_rows(path: Path, mapping: ColumnMapping) -> Iterator[tuple[int, Cells, list[RowError]]]:
    try:
        book = XlsxReader(path)
    except XlsxError as exc:
        raise ImportFormatError(f"无法读取Excel文件：{path.name}（{exc}）") from exc
    try:
        if mapping.sheet and mapping.sheet not in book.sheetnames:
            raise ImportFormatError(f"工作表“{mapping.sheet}”不存在（现有：{'、'.join(book.sheetnames)}）")
        rows = book.rows(mapping.sheet, min_row=mapping.header_row)
        first = next(rows, None)
        if first is None:
            raise ImportFormatError(f"第{mapping.header_row}行没有表头")
        cols = locate_columns(mapping, first[1] if first[0] == mapping.header_row else ())
        for row_number, row in rows:
            if all(_blank(v) for v in row):
                continue
            yield row_number, {f: (h, row[i] if i < len(row) else None) for f, (i, h) in cols.items()}, []
    except XlsxError as exc:
        raise ImportFormatError(f"无法读取Excel文件：{path.name}（{exc}）") from exc
    finally:
        book.close()


def _no_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def _has_surrogate(obj: Any) -> bool:
    """A lone surrogate in any key or string of a parsed line (walked without recursion: the line may nest deep)."""
    stack = [obj]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if has_surrogate(v):
                return True
        elif isinstance(v, dict):
            stack.extend(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _jsonl_rows(path: Path, mapping: ColumnMapping) -> Iterator[tuple[int, Cells, list[RowError]]]:
    with path.open("rb") as fh:
        for row_number, raw in enumerate(fh, start=1):
            try:  # each line on its own: one line saved in another encoding is that line's problem only
                line = raw.decode("utf-8-sig" if row_number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield row_number, {}, [RowError(row_number, "", "该行不是UTF-8编码的文字（请将文件另存为UTF-8）",
                                                "invalid_encoding")]
                continue
            if not line.strip():
                continue
            problem = None
            try:
                obj = json.loads(line, parse_constant=_no_constant)
            except json.JSONDecodeError as exc:
                problem = f"该行不是有效的JSON（第{exc.colno}个字符附近有误）"
            except ValueError:  # NaN/Infinity, or a number past Python's 4,300 digits
                problem = "该行不是有效的JSON（含有 NaN、Infinity 或位数过多的数字）"
            except RecursionError:
                problem = "该行不是有效的JSON（嵌套过深）"
            else:
                if not isinstance(obj, dict):
                    problem = "每行应为一个JSON对象"
                elif "\\u" in line and _has_surrogate(obj):  # "\ud800" alone decodes to no character at all
                    problem = "该行含有无效的字符（单独的 \\ud800–\\udfff 转义），请检查导出的文件"
            if problem is not None:
                yield row_number, {}, [RowError(row_number, "", problem, "invalid_json")]
                continue
            keys = list(obj)
            # Lines may differ in their keys: a missing required key is reported for that row only.
            cols = find_columns(mapping, keys)
            yield row_number, {f: (h, obj[keys[i]]) for f, (i, h) in cols.items()}, []


# --- one row ---------------------------------------------------------------------------------------

def normalise_fields(values: Mapping[str, Any], mapping: ColumnMapping | None = None, *, row: int = 0
                     ) -> tuple[dict[str, Any], list[RowError]]:
    """One record keyed by field name (an API body) through the same checks as an imported row.

    Errors name the field itself as their column.
    """
    mapping = mapping or load_mapping()
    cells: Cells = {f: (f, v) for f, v in values.items() if f in FIELDS}
    return _normalise(row, cells, mapping, excel=False)


def _normalise(row: int, cells: Cells, mapping: ColumnMapping, *, excel: bool
               ) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    record: dict[str, Any] = {"platform": mapping.platform}

    def column(f: str) -> str:
        return cells[f][0] if f in cells else FIELDS[f].label

    def fail(f: str, problem: str, code: str) -> None:
        errors.append(RowError(row, column(f), problem, code))

    for f, spec in FIELDS.items():
        raw = cells[f][1] if f in cells else None
        if _blank(raw):
            if f in REQUIRED:
                fail(f, f"缺少{spec.label}", "required")
            record[f] = copy.deepcopy(mapping.defaults[f]) if f in mapping.defaults else spec.blank()
            continue
        if spec.kind == "text":
            # a platform's record is taken as sent: line breaks in a one-line field (a name, an address) are
            # folded into a space, the content keeps them as \n; any other control character is refused
            checked = (multiline if spec.max_length >= LONG_TEXT else fold_line)(cell_text(raw))
            if checked is None:
                fail(f, f"{spec.label}{SINGLE_LINE_MESSAGE if spec.max_length < LONG_TEXT else MULTI_LINE_MESSAGE}",
                     "control_characters")
            text = checked or ""
            if len(text) > spec.max_length:
                fail(f, f"{spec.label}过长（{len(text)}字，最多{spec.max_length}字）", "too_long")
            record[f] = text
        elif spec.kind in ("datetime", "deadline"):
            try:
                value = from_excel(raw) if excel and isinstance(raw, int | float) else raw
                record[f] = parse_datetime(value, mapping, end_of_day=spec.kind == "deadline")
            except (ValueError, TypeError, OverflowError):
                fail(f, f"无法识别的时间“{cell_text(raw)}”（应如 2026-03-02 09:15:00 或 2026/3/2 9:15）",
                     "invalid_datetime")
                record[f] = None
        elif spec.kind == "enum":
            text = cell_text(raw)
            code = mapping.values.get(f, {}).get(text, text)
            if code not in ENUMS[f]:
                fail(f, f"未知的{spec.label}“{text}”（可选：{'、'.join(ENUM_LABELS[f].values())}）", "unknown_value")
            record[f] = code
        elif spec.kind == "bool":
            value = raw if isinstance(raw, bool) else mapping.values.get(f, {}).get(cell_text(raw))
            if not isinstance(value, bool):
                fail(f, f"无法识别的{spec.label}“{cell_text(raw)}”", "invalid_bool")
            record[f] = value
        else:  # list
            text = cell_text(raw)
            for sep in LIST_SEPARATORS[1:]:
                text = text.replace(sep, LIST_SEPARATORS[0])
            items = [fold_line(p) for p in text.split(LIST_SEPARATORS[0])]
            if None in items:
                fail(f, f"{spec.label}{SINGLE_LINE_MESSAGE}", "control_characters")
            record[f] = [p for p in items if p]
    due, received = record.get("platform_due_at"), record.get("received_at")
    if isinstance(due, datetime) and isinstance(received, datetime) and due < received:
        fail("platform_due_at", f"{FIELDS['platform_due_at'].label}早于{FIELDS['received_at'].label}",
             "deadline_before_receipt")
    return record, errors

