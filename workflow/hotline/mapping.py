"""Column mappings for importing 12345 work orders: which platform header feeds which field, value maps,
time formats; plus the cell converters (text, times) the importer uses.

A mapping is YAML (``workflow/hotline/data/mappings/default.yaml`` for a typical export with Chinese headers).
Naive times are read in the mapping's time zone (Asia/Shanghai); returned datetimes are aware.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from states.hotline import Category, Urgency

DEFAULT_MAPPING_PATH = Path(str(resources.files("workflow.hotline") / "data" / "mappings" / "default.yaml"))

Kind = Literal["text", "datetime", "deadline", "enum", "list", "bool"]


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    label: str  # Chinese name used in messages when the file has no such column
    max_length: int = 0  # 0: no limit (non-text kinds)
    default: Any = None  # when the cell is blank (a mapping's ``defaults`` win); lists are copied

    def blank(self) -> Any:
        if self.kind == "list":
            return []
        return {"text": "", "bool": False}.get(self.kind) if self.default is None else self.default


# The normalised record's fields; lengths match db.models.hotline.WorkOrder.
FIELDS: dict[str, FieldSpec] = {
    "order_no": FieldSpec("text", "工单编号", 64),
    "received_at": FieldSpec("datetime", "来电时间"),
    "caller_name": FieldSpec("text", "来电人", 100),
    "caller_phone": FieldSpec("text", "联系电话", 40),
    "category": FieldSpec("enum", "诉求类型"),
    "category_code": FieldSpec("text", "分类编码", 32),
    "urgency": FieldSpec("enum", "紧急程度", default="normal"),
    "title": FieldSpec("text", "诉求标题", 300),
    "content": FieldSpec("text", "诉求内容", 8000),
    "location": FieldSpec("text", "事发地点", 300),
    "platform_due_at": FieldSpec("deadline", "办理时限"),
    "lead_unit": FieldSpec("text", "主办单位", 200),
    "assisting_units": FieldSpec("list", "协办单位"),
    "designated": FieldSpec("bool", "是否指定承办"),
}
REQUIRED = ("order_no", "received_at", "category", "content")
# What happened to an order before it came into banli (go-live: the platform's closed and answered orders). Not part
# of the record (nor of its hash): an order already in banli is never changed by them. workflow.hotline.history
HISTORY_FIELDS: dict[str, FieldSpec] = {
    "signed_at": FieldSpec("datetime", "签收时间"),
    "replied_at": FieldSpec("datetime", "反馈时间"),
    "reply_text": FieldSpec("text", "答复内容", 8000),
    "callback_at": FieldSpec("datetime", "回访时间"),
    "callback_result": FieldSpec("text", "回访结果", 16),
    "closed_at": FieldSpec("datetime", "办结时间"),
}
ENUMS: dict[str, frozenset[str]] = {
    "category": frozenset(c.value for c in Category),
    "urgency": frozenset(u.value for u in Urgency),
}
DEFAULT_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时%M分",
    "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日",
)
LIST_SEPARATORS = ("、", "，", ",", "；", ";", "\n")


class MappingError(ValueError):
    """A mapping file, or a file's header row, that cannot be used (Chinese message)."""


@dataclass(frozen=True)
class ColumnMapping:
    name: str
    platform: str
    columns: Mapping[str, tuple[str, ...]]  # field → accepted headers, first match wins
    values: Mapping[str, Mapping[str, Any]]  # field → {platform value: our value}
    defaults: Mapping[str, Any]
    tz: ZoneInfo
    formats: tuple[str, ...] = DEFAULT_FORMATS
    sheet: str | None = None  # None: the first sheet
    header_row: int = 1


def _norm_header(h: Any) -> str:
    return "".join(str(h).split()).rstrip("*＊") if h is not None else ""


def mapping_from_dict(data: Mapping[str, Any]) -> ColumnMapping:
    """Validate a parsed mapping file."""
    problems: list[str] = []
    columns: dict[str, tuple[str, ...]] = {}
    for f, headers in (data.get("columns") or {}).items():
        if f not in FIELDS and f not in HISTORY_FIELDS:
            problems.append(f"columns.{f}：没有这个字段（可用的字段：{'、'.join([*FIELDS, *HISTORY_FIELDS])}）")
            continue
        hs = [headers] if isinstance(headers, str) else headers
        if not isinstance(hs, list) or not hs or not all(isinstance(h, str) and h.strip() for h in hs):
            problems.append(f"columns.{f}：应填写表头名称，或表头名称的列表")
            continue
        columns[f] = tuple(_norm_header(h) for h in hs)
    for f in REQUIRED:
        if f not in columns:
            problems.append(f"columns：缺少必需的字段 {f}（{FIELDS[f].label}）")
    values: dict[str, dict[str, Any]] = {}
    for f, vmap in (data.get("values") or {}).items():
        if f not in FIELDS or FIELDS[f].kind not in ("enum", "bool") or not isinstance(vmap, dict):
            problems.append(f"values.{f}：只能为诉求类型、紧急程度或“是/否”字段设置取值对照")
            continue
        for k, v in vmap.items():
            ok = isinstance(v, bool) if FIELDS[f].kind == "bool" else v in ENUMS[f]
            if not ok:
                problems.append(f"values.{f}.{k}：对照的取值“{v}”无效")
        values[f] = {str(k).strip(): v for k, v in vmap.items()}
    try:
        tz = ZoneInfo(str(data.get("timezone", "Asia/Shanghai")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone：没有这个时区“{data.get('timezone')}”")
        tz = ZoneInfo("Asia/Shanghai")
    formats = data.get("datetime_formats") or DEFAULT_FORMATS
    if not isinstance(formats, list | tuple) or not all(isinstance(x, str) for x in formats):
        problems.append("datetime_formats：应填写时间格式的列表")
        formats = DEFAULT_FORMATS
    header_row = data.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        problems.append("header_row：应填写正整数（表头所在的行号）")
        header_row = 1
    defaults = dict(data.get("defaults") or {})
    for f, v in defaults.items():
        if f not in FIELDS:
            problems.append(f"defaults.{f}：没有这个字段")
        elif (f in ENUMS and v not in ENUMS[f]) or (FIELDS[f].kind == "bool" and not isinstance(v, bool)):
            problems.append(f"defaults.{f}：默认值“{v}”无效")
    if problems:
        raise MappingError("\n".join(problems))
    return ColumnMapping(
        name=str(data.get("name", "")), platform=str(data.get("platform", "12345")), columns=columns,
        values=values, defaults=defaults, tz=tz, formats=tuple(formats),
        sheet=data.get("sheet"), header_row=header_row,
    )


def load_mapping(path: Path | str = DEFAULT_MAPPING_PATH) -> ColumnMapping:
    name = Path(path).name
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise MappingError(f"{name}：列对照文件应为UTF-8编码的文字（请另存为UTF-8）") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行附近" if mark is not None else ""
        raise MappingError(f"{name}：{where}格式有误（应为YAML格式的列对照）") from exc
    except (ValueError, RecursionError) as exc:  # a number past Python's 4,300 digits; nesting too deep
        raise MappingError(f"{name}：格式有误（含有位数过多的数字或嵌套过深），应为YAML格式的列对照") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{name}：应为YAML格式的列对照（“字段: 表头”的形式）")
    return mapping_from_dict(data)


def find_columns(mapping: ColumnMapping, headers: Sequence[Any]) -> dict[str, tuple[int, str]]:
    """field → (column index, header as written) for the mapped fields present in ``headers``."""
    found = {_norm_header(h): (i, str(h).strip()) for i, h in reversed(list(enumerate(headers))) if h is not None}
    out: dict[str, tuple[int, str]] = {}
    for f, names in mapping.columns.items():
        hit = next((n for n in names if n in found), None)
        if hit is not None:
            out[f] = found[hit]
    return out


def locate_columns(mapping: ColumnMapping, headers: Sequence[Any]) -> dict[str, tuple[int, str]]:
    """Like ``find_columns``, but a header row without a required column is an error."""
    out = find_columns(mapping, headers)
    missing = [f"{FIELDS[f].label}（{' / '.join(mapping.columns[f])}）" for f in REQUIRED if f not in out]
    if missing:
        raise MappingError("文件缺少必需的列：" + "、".join(missing))
    return out


# --- cell converters -------------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    """A cell as text: numbers typed into Excel (phone, order numbers) lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_datetime(value: Any, mapping: ColumnMapping, *, end_of_day: bool = False) -> datetime:
    """An aware datetime from an Excel cell or a string; naive values are in ``mapping.tz``.

    A date without a time is the start of that day, or its end for deadlines (``end_of_day``).
    Raises ValueError for anything else.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time.max if end_of_day else time.min)
    elif isinstance(value, str) and value.strip():
        dt = _parse_text(value.strip(), mapping, end_of_day)
    else:
        raise ValueError(value)
    return dt.replace(tzinfo=mapping.tz) if dt.tzinfo is None else dt.astimezone(mapping.tz)


_ISO_MINUTES = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?")


def _parse_text(text: str, mapping: ColumnMapping, end_of_day: bool) -> datetime:
    if mapping.formats[:1] == ("%Y-%m-%d %H:%M:%S",) and _ISO_MINUTES.fullmatch(text):
        # The common case, as the first formats would read it, without strptime's cost (~20 µs).
        return datetime.fromisoformat(text)
    for fmt in mapping.formats:
        try:
            dt = datetime.strptime(text, fmt)  # noqa: DTZ007 (naive on purpose: the mapping's zone is applied)
        except ValueError:
            continue
        if "%H" not in fmt and end_of_day:
            dt = datetime.combine(dt.date(), time.max)
        return dt
    return datetime.fromisoformat(text)  # ISO 8601, possibly with an offset; ValueError otherwise
