"""Time-limit profiles: layering, validation messages, overrides, the platform's deadline, ladders."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from states.hotline import Category, Urgency
from states.hotline_profiles import (
    FIELDS,
    EscalationStep,
    Limit,
    ProfileError,
    effective_handling_due,
    escalations_due,
    load_profile,
    parse_overrides,
    reminder_due,
    resolve,
)

BASE: dict[str, Any] = {
    "code": "test",
    "name": "测试",
    "status": "derived",
    "source": "test source",
    "defaults": {
        "sign_for": {"amount": 1, "unit": "wd"},
        "handling": {"amount": 5, "unit": "wd"},
        "return_window": {"amount": 2, "unit": "wd"},
        "callback_window": {"amount": 1, "unit": "wd"},
        "max_extension_days": 10,
        "max_extensions": 1,
        "escalation": [{"action": "urge", "after_wd": 0}, {"action": "supervise", "after_wd": 5}],
        "reminders": [1, 5, 3, 0],
    },
    "categories": {
        "consult": {"handling": {"amount": 3, "unit": "wd"}, "source": "consult source"},
        "complaint": {
            "handling": {"amount": 15, "unit": "wd", "status": "secondary", "source": "value source"},
            "urgent": {"handling": {"amount": 4, "unit": "wh"}},
        },
    },
    "urgency": {"urgent": {"sign_for": {"amount": 2, "unit": "wh"}, "handling": {"unit": "same_day"}}},
}
PROFILE = load_profile(BASE)
AWARE = timezone(timedelta(hours=8))


def data(**changes):
    d = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = d
        keys = path.split("__")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    return d


def problems_of(d) -> list[str]:
    with pytest.raises(ProfileError) as exc:
        load_profile(d)
    return exc.value.problems


def test_every_cell_is_complete():
    assert set(PROFILE.limits) == {(c, u) for c in Category for u in Urgency}
    for cell, prov in PROFILE.provenance.items():
        assert set(prov) == set(FIELDS), cell


def test_layering_order():
    cell = PROFILE.limits
    assert cell[(Category.HELP, Urgency.NORMAL)].handling == Limit(5, "wd")  # defaults
    assert cell[(Category.CONSULT, Urgency.NORMAL)].handling == Limit(3, "wd")  # category
    assert cell[(Category.CONSULT, Urgency.URGENT)].handling == Limit(0, "same_day")  # urgency beats category
    assert cell[(Category.COMPLAINT, Urgency.URGENT)].handling == Limit(4, "wh")  # category × urgency beats all
    assert cell[(Category.COMPLAINT, Urgency.URGENT)].sign_for == Limit(2, "wh")
    assert cell[(Category.HELP, Urgency.NORMAL)].reminders == (5, 3, 1, 0)  # normalised, descending


def test_provenance_records_status_source_and_layer():
    prov = PROFILE.provenance
    assert prov[(Category.CONSULT, Urgency.NORMAL)]["handling"].source == "consult source"
    assert prov[(Category.CONSULT, Urgency.NORMAL)]["handling"].status == "derived"  # inherited from the top
    p = prov[(Category.COMPLAINT, Urgency.NORMAL)]["handling"]
    assert (p.status, p.source, p.layer) == ("secondary", "value source", "categories.complaint")
    assert prov[(Category.HELP, Urgency.URGENT)]["sign_for"].layer == "urgency.urgent"


@pytest.mark.parametrize(("changes", "expect_zh", "expect_en"), [
    ({"categories__gossip": {"handling": {"amount": 1, "unit": "wd"}}}, "未知的诉求类型", "unknown category"),
    ({"urgency__critical": {}}, "未知的紧急程度", "unknown urgency"),
    ({"defaults__handling": {"amount": -1, "unit": "wd"}}, "不能为负数", "must not be negative"),
    ({"defaults__handling": {"amount": 3, "unit": "days"}}, "未知的时限单位", "unknown unit"),
    ({"defaults__handling": {"amount": 0, "unit": "wd"}}, "至少为1", "must be ≥ 1"),
    ({"defaults__handling": {"amount": 2, "unit": "same_day"}}, "应为0", "same_day takes amount 0"),
    ({"defaults__handling": {"amount": True, "unit": "wd"}}, "整数", "integer"),
    ({"defaults__handling": {"amount": 1, "unit": "wd", "hours": 2}}, "未知的键", "unknown keys"),
    ({"defaults__handling": "5wd"}, "应为", "expected a mapping"),
    ({"defaults__max_extensions": -2}, "非负整数", "non-negative integer"),
    ({"defaults__deadline": 3}, "未知的设置项", "unknown setting"),
    ({"defaults__escalation": [{"action": "scold", "after_wd": 1}]}, "未知的督办动作", "unknown action"),
    ({"defaults__escalation": [{"action": "urge", "after_wd": 5}, {"action": "supervise", "after_wd": 5}]},
     "严格递增", "strictly increase"),
    ({"defaults__reminders": [3, 3]}, "重复", "duplicate"),
    ({"defaults__reminders": [3, -1]}, "非负整数", "non-negative"),
    ({"defaults__callback_window": None}, "缺少回访时限", "no valid value"),
    ({"code": None}, "缺少方案代码", "missing profile code"),
    ({"status": "rumour"}, "未知的来源状态", "unknown status"),
    ({"colour": "red"}, "未知的顶层键", "unknown top-level key"),
    ({"categories": ["consult"]}, "应为映射", "expected a mapping"),
    ({"urgency": "urgent"}, "应为映射", "expected a mapping"),
])
def test_bad_profiles_give_clear_bilingual_errors(changes, expect_zh, expect_en):
    text = "\n".join(problems_of(data(**changes)))
    assert expect_zh in text and expect_en in text


def test_all_problems_reported_at_once():
    problems = problems_of(data(categories__gossip={}, defaults__handling={"amount": -1, "unit": "wd"},
                                urgency__urgent__sign_for={"amount": 1, "unit": "min"}))
    text = "\n".join(problems)
    assert "gossip" in text and "negative" in text and "min" in text
    assert any(p.startswith("defaults.handling") for p in problems)


# --- resolve and overrides ---------------------------------------------------------------------------

@pytest.mark.parametrize("category", list(Category))
@pytest.mark.parametrize("urgency", list(Urgency))
def test_resolve_without_overrides_is_the_profile_cell(category, urgency):
    r = resolve(PROFILE, category.value, urgency.value)
    assert (r.category, r.urgency, r.profile_code) == (category, urgency, "test")
    base = PROFILE.limits[(category, urgency)]
    for f in FIELDS:
        assert getattr(r, f) == getattr(base, f)
    assert r.provenance == PROFILE.provenance[(category, urgency)]


def test_override_paths_and_precedence():
    ov = {
        "handling": {"amount": 9, "unit": "wd"},
        "handling.complaint": {"amount": 10, "unit": "wd"},
        "handling.*.urgent": {"amount": 3, "unit": "wh"},
        "handling.complaint.urgent": {"amount": 1, "unit": "wh"},
        "max_extension_days": 5,
        "reminders": [2, 0],
    }
    assert resolve(PROFILE, "help", "normal", ov).handling == Limit(9, "wd")
    assert resolve(PROFILE, "complaint", "normal", ov).handling == Limit(10, "wd")
    assert resolve(PROFILE, "help", "urgent", ov).handling == Limit(3, "wh")
    assert resolve(PROFILE, "complaint", "urgent", ov).handling == Limit(1, "wh")
    r = resolve(PROFILE, "consult", "normal", ov)
    assert (r.max_extension_days, r.reminders) == (5, (2, 0))
    assert r.provenance["max_extension_days"].status == "override"
    assert r.provenance["max_extension_days"].layer == "override:max_extension_days"
    assert r.provenance["sign_for"].layer == "defaults"  # untouched fields keep the profile's provenance


def test_override_with_its_own_source():
    ov = {"handling.consult.normal": {"amount": 2, "unit": "wd", "status": "confirmed", "source": "局发〔2026〕1号"}}
    r = resolve(PROFILE, "consult", "normal", ov)
    assert r.handling == Limit(2, "wd")
    assert (r.provenance["handling"].status, r.provenance["handling"].source) == ("confirmed", "局发〔2026〕1号")


@pytest.mark.parametrize(("overrides", "fragment"), [
    ({"deadline": 3}, "unknown override path"),
    ({"handling.gossip": {"amount": 1, "unit": "wd"}}, "unknown category"),
    ({"handling.consult.critical": {"amount": 1, "unit": "wd"}}, "unknown urgency"),
    ({"handling.consult.normal.extra": {"amount": 1, "unit": "wd"}}, "unknown override path"),
    ({"handling.consult": {"amount": -3, "unit": "wd"}}, "negative"),
    ({"max_extensions": "two"}, "non-negative integer"),
])
def test_bad_overrides(overrides, fragment):
    with pytest.raises(ProfileError) as exc:
        resolve(PROFILE, "consult", "normal", overrides)
    assert fragment in str(exc.value)
    with pytest.raises(ProfileError):
        parse_overrides(overrides)  # the admin page validates on save with the same function


def test_resolve_rejects_unknown_category_and_urgency():
    with pytest.raises(ProfileError, match="unknown category"):
        resolve(PROFILE, "gossip", "normal")
    with pytest.raises(ProfileError, match="未知的紧急程度"):
        resolve(PROFILE, "consult", "asap")


limits_st = st.builds(
    lambda unit, n: Limit(0 if unit == "same_day" else n, unit),
    st.sampled_from(["wd", "wh", "same_day"]), st.integers(1, 60),
)
path_st = st.tuples(st.sampled_from(["*", *[c.value for c in Category]]),
                    st.sampled_from(["*", *[u.value for u in Urgency]]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(path_st, limits_st, max_size=6), limits_st,
       st.sampled_from(list(Category)), st.sampled_from(list(Urgency)))
def test_cell_override_always_wins(general, specific, category, urgency):
    ov = {f"handling.{c}.{u}": {"amount": v.amount, "unit": v.unit} for (c, u), v in general.items()}
    ov[f"handling.{category}.{urgency}"] = {"amount": specific.amount, "unit": specific.unit}
    assert resolve(PROFILE, category.value, urgency.value, ov).handling == specific


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers(-5, 50) | st.text(max_size=5),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                        st.sampled_from(["amount", "unit", "value", "action", "after_wd", "x"]), kids, max_size=3),
                    max_leaves=8),
       st.sampled_from(FIELDS))
def test_junk_values_raise_only_profile_error(junk, field):
    try:
        load_profile(data(**{f"defaults__{field}": junk}))
    except ProfileError as exc:
        assert exc.problems


# --- the platform's deadline wins --------------------------------------------------------------------

def test_platform_deadline_wins():
    ours = datetime(2026, 3, 9, 23, 59, tzinfo=AWARE)
    theirs = datetime(2026, 3, 6, 18, 0, tzinfo=AWARE)
    assert effective_handling_due(theirs, ours) == (theirs, "platform")
    assert effective_handling_due(ours + timedelta(days=3), ours)[1] == "platform"  # even when later
    assert effective_handling_due(None, ours) == (ours, "profile")
    assert effective_handling_due(None, None) == (None, "none")
    with pytest.raises(ValueError, match="naive"):
        effective_handling_due(datetime(2026, 3, 6), ours)


# --- ladders -----------------------------------------------------------------------------------------

LADDER = (EscalationStep("urge", 0), EscalationStep("supervise", 5))


@pytest.mark.parametrize(("index", "fired", "expected"), [
    (None, 0, ()),
    (-1, 0, ()),
    (0, 0, ("urge",)),
    (4, 1, ()),
    (5, 1, ("supervise",)),
    (7, 0, ("urge", "supervise")),  # a missed sweep catches up
    (9, 2, ()),
])
def test_escalations_due(index, fired, expected):
    assert escalations_due(LADDER, index, fired) == expected


@pytest.mark.parametrize(("left", "sent", "expected"), [
    (8, [], None),
    (5, [], 5),
    (4, [5], None),
    (3, [5], 3),
    (1, [], 1),  # after downtime only the nearest reminder goes out
    (1, [1], None),
    (0, [5, 3, 1], 0),
    (-1, [], None),  # overdue: the escalation ladder takes over
])
def test_reminder_due(left, sent, expected):
    assert reminder_due((5, 3, 1, 0), left, sent) == expected


def test_limit_helpers():
    assert Limit(3, "wd").describe_zh() == "3个工作日"
    assert Limit(2, "wh").describe_zh() == "2个工作小时"
    assert Limit(0, "same_day").describe_zh() == "当日"
    assert Limit(2, "wh").minutes == 120
    with pytest.raises(ValueError):
        _ = Limit(2, "wd").minutes
