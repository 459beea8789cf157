"""Time-limit profiles for 12345 work orders: data in, validated limits out (pure).

A profile (``workflow/hotline/data/profiles/*.yaml``, format in docs/hotline-profiles.md) is layered:
``defaults`` < ``categories.<category>`` < ``urgency.<urgency>`` < ``categories.<category>.<urgency>``;
``load_profile`` expands it to complete ``CategoryLimits`` for every category × urgency and keeps
where each value came from (``Provenance``), so a deadline can be explained. ``resolve`` then applies
an agency's overrides, whose keys use the same order::

    "<field>"                       every category and urgency
    "<field>.<category>"            one category, both urgencies
    "<field>.*.<urgency>"           one urgency, every category
    "<field>.<category>.<urgency>"  one cell (most specific wins)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from itertools import pairwise
from typing import Any, Literal, get_args

from states.hotline import Category, Urgency

Unit = Literal["wd", "wh", "same_day"]
UNITS: tuple[str, ...] = get_args(Unit)
EscalationAction = Literal["urge", "supervise"]
STATUSES = ("confirmed", "secondary", "derived", "unconfirmed", "override")  # rules.md status labels

LIMIT_FIELDS = ("sign_for", "handling", "return_window", "callback_window")
INT_FIELDS = ("max_extension_days", "max_extensions")
FIELDS = (*LIMIT_FIELDS, *INT_FIELDS, "escalation", "reminders")
FIELD_LABELS = {
    "sign_for": "签收时限", "handling": "办理时限", "return_window": "退单时限", "callback_window": "回访时限",
    "max_extension_days": "单次延期最长工作日", "max_extensions": "延期次数上限",
    "escalation": "逾期督办阶梯", "reminders": "到期前提醒（工作日）",
}
_META = ("status", "source")
_CATEGORIES = frozenset(c.value for c in Category)
_URGENCIES = frozenset(u.value for u in Urgency)


class ProfileError(ValueError):
    """Invalid profile or override data; ``problems`` lists every problem found (Chinese / English)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Limit:
    """A time limit: ``amount`` working days (wd) or working hours (wh), or the same day (amount 0)."""

    amount: int
    unit: Unit

    def describe_zh(self) -> str:
        if self.unit == "same_day":
            return "当日"
        return f"{self.amount}个工作{'日' if self.unit == 'wd' else '小时'}"

    @property
    def minutes(self) -> int:
        """Working minutes for ``wh`` limits (what ``WorkCalendar.add_working_minutes`` takes)."""
        if self.unit != "wh":
            raise ValueError(f"not an hours limit: {self}")
        return self.amount * 60


@dataclass(frozen=True)
class EscalationStep:
    """Fire ``action`` once the order is ``after_wd`` working days past its first overdue working day."""

    action: EscalationAction
    after_wd: int


@dataclass(frozen=True)
class Provenance:
    """Where a resolved value came from: status label, source text, and the layer that set it."""

    status: str
    source: str
    layer: str


@dataclass(frozen=True)
class CategoryLimits:
    """Every time-limit setting for one category × urgency."""

    sign_for: Limit
    handling: Limit
    return_window: Limit
    callback_window: Limit
    max_extension_days: int
    max_extensions: int
    escalation: tuple[EscalationStep, ...]
    reminders: tuple[int, ...]  # working days before the due day; 0 = on the due day; descending


@dataclass(frozen=True)
class ResolvedLimits(CategoryLimits):
    """The limits for one order after the agency's overrides, with the provenance of each field."""

    profile_code: str
    category: Category
    urgency: Urgency
    provenance: Mapping[str, Provenance] = field(repr=False)


Cell = tuple[Category, Urgency]


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    status: str
    source: str
    notes: str
    limits: Mapping[Cell, CategoryLimits]
    provenance: Mapping[Cell, Mapping[str, Provenance]]


# --- parsing single values -------------------------------------------------------------------------

def _unwrap(path: str, raw: Any, status: str, source: str, problems: list[str]) -> tuple[Any, str, str]:
    """Split ``{value:…, status:…, source:…}`` (or a Limit dict carrying status/source) from its metadata."""
    if isinstance(raw, dict):
        st, src = raw.get("status", status), raw.get("source", source)
        if st not in STATUSES:
            problems.append(f"{path}: 未知的来源状态“{st}” / unknown status {st!r} (one of {', '.join(STATUSES)})")
        if "value" in raw:
            extra = set(raw) - {"value", *_META}
            if extra:
                problems.append(f"{path}: 未知的键 {sorted(extra)} / unknown keys")
            return raw["value"], str(st), str(src)
        return {k: v for k, v in raw.items() if k not in _META}, str(st), str(src)
    return raw, status, source


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _parse_limit(path: str, raw: Any, problems: list[str]) -> Limit | None:
    if not isinstance(raw, dict):
        problems.append(f"{path}: 应为 {{amount, unit}} / expected a mapping with amount and unit, got {raw!r}")
        return None
    unknown = set(raw) - {"amount", "unit"}
    unit: Any = raw.get("unit")
    amount: Any = raw.get("amount", 0 if unit == "same_day" else None)
    n = len(problems)
    if unknown:
        problems.append(f"{path}: 未知的键 {sorted(unknown)} / unknown keys")
    if unit not in UNITS:
        problems.append(f"{path}: 未知的时限单位“{unit}” / unknown unit {unit!r} (one of {', '.join(UNITS)})")
    if not _is_int(amount):
        problems.append(f"{path}: 时限数值应为整数 / amount must be an integer, got {amount!r}")
    elif amount < 0:
        problems.append(f"{path}: 时限不能为负数 / amount must not be negative, got {amount}")
    elif unit == "same_day" and amount != 0:
        problems.append(f"{path}: 当日时限的数值应为0 / same_day takes amount 0, got {amount}")
    elif unit in ("wd", "wh") and amount == 0:
        problems.append(f"{path}: 时限至少为1（当日办结请用 same_day）/ amount must be ≥ 1 (use same_day)")
    return Limit(amount, unit) if len(problems) == n else None


def _parse_int(path: str, raw: Any, problems: list[str]) -> int | None:
    if not _is_int(raw) or raw < 0:
        problems.append(f"{path}: 应为非负整数 / expected a non-negative integer, got {raw!r}")
        return None
    return int(raw)


def _parse_escalation(path: str, raw: Any, problems: list[str]) -> tuple[EscalationStep, ...] | None:
    if not isinstance(raw, list):
        problems.append(f"{path}: 应为列表 / expected a list of {{action, after_wd}}, got {raw!r}")
        return None
    n, steps = len(problems), []
    for i, item in enumerate(raw):
        p = f"{path}[{i}]"
        if not isinstance(item, dict) or set(item) != {"action", "after_wd"}:
            problems.append(f"{p}: 应为 {{action, after_wd}} / expected keys action and after_wd, got {item!r}")
            continue
        if item["action"] not in get_args(EscalationAction):
            problems.append(f"{p}: 未知的督办动作“{item['action']}” / unknown action (urge or supervise)")
        after = _parse_int(f"{p}.after_wd", item["after_wd"], problems)
        if after is not None:
            steps.append(EscalationStep(item["action"], after))
    if any(a.after_wd >= b.after_wd for a, b in pairwise(steps)):
        problems.append(f"{path}: after_wd 应严格递增 / after_wd must strictly increase")
    return tuple(steps) if len(problems) == n else None


def _parse_reminders(path: str, raw: Any, problems: list[str]) -> tuple[int, ...] | None:
    if not isinstance(raw, list) or not all(_is_int(x) and x >= 0 for x in raw):
        problems.append(f"{path}: 应为非负整数列表 / expected a list of non-negative integers, got {raw!r}")
        return None
    if len(set(raw)) != len(raw):
        problems.append(f"{path}: 提醒日重复 / duplicate reminder days {raw!r}")
        return None
    return tuple(sorted(raw, reverse=True))


def _parse_field(name: str, path: str, raw: Any, problems: list[str]) -> Any:
    if name in LIMIT_FIELDS:
        return _parse_limit(path, raw, problems)
    if name in INT_FIELDS:
        return _parse_int(path, raw, problems)
    if name == "escalation":
        return _parse_escalation(path, raw, problems)
    return _parse_reminders(path, raw, problems)


# --- layers ----------------------------------------------------------------------------------------

Layer = dict[str, tuple[Any, Provenance]]


def _parse_layer(path: str, raw: Any, inherited: tuple[str, str], allowed_nested: Sequence[str],
                 problems: list[str]) -> tuple[Layer, dict[str, Any]]:
    """One layer's fields (with provenance) and its nested sub-layers (urgency blocks in a category)."""
    if not isinstance(raw, dict):
        problems.append(f"{path}: 应为映射 / expected a mapping, got {raw!r}")
        return {}, {}
    status, source = str(raw.get("status", inherited[0])), str(raw.get("source", inherited[1]))
    if status not in STATUSES:
        problems.append(f"{path}.status: 未知的来源状态“{status}” / unknown status {status!r}")
    layer: Layer = {}
    nested: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _META:
            continue
        if key in allowed_nested:
            nested[key] = value
        elif key in FIELDS:
            val, st, src = _unwrap(f"{path}.{key}", value, status, source, problems)
            parsed = _parse_field(key, f"{path}.{key}", val, problems)
            if parsed is not None:
                layer[key] = (parsed, Provenance(st, src, path))
        else:
            problems.append(f"{path}: 未知的设置项“{key}” / unknown setting {key!r} (one of {', '.join(FIELDS)})")
    return layer, nested


def _mapping(path: str, raw: Any, problems: list[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{path}: 应为映射 / expected a mapping, got {raw!r}")
        return {}
    return raw


def _cells() -> list[Cell]:
    return [(c, u) for c in Category for u in Urgency]


def load_profile(data: Mapping[str, Any]) -> Profile:
    """Validate a profile mapping (parsed YAML) and expand it to every category × urgency."""
    problems: list[str] = []
    code = data.get("code")
    if not isinstance(code, str) or not code:
        problems.append("code: 缺少方案代码 / missing profile code")
    known = {"code", "name", "status", "source", "notes", "defaults", "categories", "urgency"}
    for key in set(data) - known:
        problems.append(f"{key}: 未知的顶层键 / unknown top-level key {key!r}")
    top = (str(data.get("status", "unconfirmed")), str(data.get("source", "")))
    defaults, _ = _parse_layer("defaults", data.get("defaults", {}), top, (), problems)
    cat_layers: dict[Category, Layer] = {}
    cell_layers: dict[Cell, Layer] = {}
    urg_layers: dict[Urgency, Layer] = {}
    for name, raw in _mapping("categories", data.get("categories"), problems).items():
        if name not in _CATEGORIES:
            problems.append(f"categories.{name}: 未知的诉求类型“{name}” / unknown category {name!r} "
                            f"(one of {', '.join(Category)})")
            continue
        cat = Category(name)
        cat_layers[cat], nested = _parse_layer(f"categories.{name}", raw, top, list(Urgency), problems)
        meta = (raw.get("status", top[0]), raw.get("source", top[1])) if isinstance(raw, dict) else top
        for u, sub in nested.items():
            cell_layers[(cat, Urgency(u))], _ = _parse_layer(f"categories.{name}.{u}", sub, meta, (), problems)
    for name, raw in _mapping("urgency", data.get("urgency"), problems).items():
        if name not in _URGENCIES:
            problems.append(f"urgency.{name}: 未知的紧急程度“{name}” / unknown urgency {name!r} "
                            f"(one of {', '.join(Urgency)})")
            continue
        urg_layers[Urgency(name)], _ = _parse_layer(f"urgency.{name}", raw, top, (), problems)
    limits: dict[Cell, CategoryLimits] = {}
    provenance: dict[Cell, dict[str, Provenance]] = {}
    missing: dict[str, list[str]] = {}
    for cell in _cells():
        merged: Layer = {**defaults, **cat_layers.get(cell[0], {}), **urg_layers.get(cell[1], {}),
                         **cell_layers.get(cell, {})}
        for f in FIELDS:
            if f not in merged:
                missing.setdefault(f, []).append(f"{cell[0]}.{cell[1]}")
        if not any(f not in merged for f in FIELDS):
            limits[cell] = CategoryLimits(**{f: merged[f][0] for f in FIELDS})
            provenance[cell] = {f: merged[f][1] for f in FIELDS}
    for f, cells in missing.items():
        problems.append(f"{f}: 缺少{FIELD_LABELS[f]}（{', '.join(cells)}）/ no valid value for {', '.join(cells)}")
    if problems:
        raise ProfileError(problems)
    return Profile(str(code), str(data.get("name", code)), top[0], top[1], str(data.get("notes", "")),
                   limits, provenance)


# --- overrides and resolution ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Override:
    setting: str
    category: Category | None
    urgency: Urgency | None
    value: Any
    provenance: Provenance

    @property
    def rank(self) -> int:  # same order as the profile layers: field < category < urgency < cell
        return (self.category is not None) + 2 * (self.urgency is not None)


def parse_overrides(overrides: Mapping[str, Any] | None) -> list[_Override]:
    """Validate an agency's override mapping (see the module docstring for the key syntax)."""
    problems: list[str] = []
    out: list[_Override] = []
    for key, raw in (overrides or {}).items():
        parts = str(key).split(".")
        setting, cat, urg = [*parts, "*", "*"][:3]
        if len(parts) > 3 or setting not in FIELDS:
            problems.append(f"{key}: 未知的覆盖项 / unknown override path (<field>[.<category>|*[.<urgency>]], "
                            f"fields: {', '.join(FIELDS)})")
            continue
        if cat != "*" and cat not in _CATEGORIES:
            problems.append(f"{key}: 未知的诉求类型“{cat}” / unknown category {cat!r}")
            continue
        if urg != "*" and urg not in _URGENCIES:
            problems.append(f"{key}: 未知的紧急程度“{urg}” / unknown urgency {urg!r}")
            continue
        val, st, src = _unwrap(str(key), raw, "override", f"本机关设置 {key}", problems)
        parsed = _parse_field(setting, str(key), val, problems)
        if parsed is not None:
            out.append(_Override(setting, None if cat == "*" else Category(cat), None if urg == "*" else Urgency(urg),
                                 parsed, Provenance(st, src, f"override:{key}")))
    if problems:
        raise ProfileError(problems)
    return out


def resolve(profile: Profile, category: str, urgency: str,
            overrides: Mapping[str, Any] | None = None) -> ResolvedLimits:
    """The limits for one order: the profile cell, then the agency's overrides (most specific wins)."""
    if category not in _CATEGORIES:
        raise ProfileError([f"未知的诉求类型“{category}” / unknown category {category!r}"])
    if urgency not in _URGENCIES:
        raise ProfileError([f"未知的紧急程度“{urgency}” / unknown urgency {urgency!r}"])
    cell = (Category(category), Urgency(urgency))
    base = profile.limits[cell]
    values = {f.name: getattr(base, f.name) for f in fields(CategoryLimits)}
    prov = dict(profile.provenance[cell])
    for o in sorted(parse_overrides(overrides), key=lambda o: o.rank):
        if o.category in (None, cell[0]) and o.urgency in (None, cell[1]):
            values[o.setting], prov[o.setting] = o.value, o.provenance
    return ResolvedLimits(**values, profile_code=profile.code, category=cell[0], urgency=cell[1],
                          provenance=prov)


def effective_handling_due(platform_due: datetime | None,
                           computed_due: datetime | None) -> tuple[datetime | None, str]:
    """The handling deadline: the platform's own (北京条例第十三条：工单注明办理时限) wins over ours."""
    for value in (platform_due, computed_due):
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
    if platform_due is not None:
        return platform_due, "platform"
    if computed_due is not None:
        return computed_due, "profile"
    return None, "none"


# --- ladders -------------------------------------------------------------------------------------

def escalations_due(ladder: Sequence[EscalationStep], overdue_index: int | None, fired: int) -> tuple[str, ...]:
    """Actions reached and not yet fired. ``overdue_index`` 0 is the first working day after the due day."""
    if overdue_index is None or overdue_index < 0:
        return ()
    return tuple(s.action for s in ladder[fired:] if s.after_wd <= overdue_index)


def hour_steps_reached(overdue_seconds: int, supervise_after_wmin: int) -> int:
    """Ladder steps an hour-based clock (urgent sign-for, same-day handling, a platform's instant) has reached, by
    the working time since it was breached: 催办 as soon as any working time has passed (the first sweep in working
    hours after the breach), 督办 once ``supervise_after_wmin`` working minutes have (the agency's setting)."""
    if overdue_seconds <= 0:
        return 0
    return 2 if overdue_seconds >= supervise_after_wmin * 60 else 1


def hour_escalations_due(ladder: Sequence[EscalationStep], reached: int, fired: int) -> tuple[str, ...]:
    """The ladder's first ``reached`` actions not yet fired (an hour clock climbs the same ladder, by the hour)."""
    return tuple(s.action for s in ladder[fired:reached])


def reminder_due(reminders: Sequence[int], workdays_left: int, sent: Sequence[int]) -> int | None:
    """The reminder to send now (only the nearest one after a missed run), or None.

    ``workdays_left`` is how many working days remain before the due day (0 on the due day).
    """
    reached = [r for r in reminders if r >= workdays_left >= 0]
    if not reached:
        return None
    nearest = min(reached)  # after a missed run, skip the older reminders: only the nearest is useful
    return None if nearest in sent else nearest
