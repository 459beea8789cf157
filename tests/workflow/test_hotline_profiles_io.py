"""The shipped profile files load, carry sources, and hold the numbers of rules.md §5.4–5.5."""

from __future__ import annotations

import pytest

from states.hotline import Category, Urgency
from states.hotline_profiles import Limit, ProfileError, resolve
from workflow.hotline.profiles import DEFAULT_PROFILE, PROFILES_DIR, get_profile, load_profiles

PROFILES = load_profiles()

# rules.md §5.4 / §5.5: handling working days for consult, help, suggestion, complaint, report (normal).
HANDLING = {
    "yunnan_county": (3, 7, 7, 15, 15),
    "guangdong": (2, 10, 10, 15, 15),
    "sichuan": (3, 7, 7, 15, 15),
    "shandong": (5, 5, 5, 5, 5),
}
ORDER = (Category.CONSULT, Category.HELP, Category.SUGGESTION, Category.COMPLAINT, Category.REPORT)


def test_shipped_profiles():
    assert set(PROFILES) == set(HANDLING)
    assert get_profile().code == DEFAULT_PROFILE == "yunnan_county"


@pytest.mark.parametrize("code", sorted(HANDLING))
def test_handling_numbers(code):
    profile = PROFILES[code]
    for cat, days in zip(ORDER, HANDLING[code], strict=True):
        assert resolve(profile, cat, "normal").handling == Limit(days, "wd"), (code, cat)
        assert resolve(profile, cat, "urgent").handling == Limit(0, "same_day")


@pytest.mark.parametrize("code", sorted(HANDLING))
def test_every_value_has_a_source_and_unconfirmed_ones_say_so(code):
    for cell, prov in PROFILES[code].provenance.items():
        for field, p in prov.items():
            assert p.source, (code, cell, field)
            assert p.status in ("confirmed", "secondary", "derived", "unconfirmed")
            if p.status == "unconfirmed":
                assert "UNCONFIRMED" in p.source, (code, cell, field)


def test_yunnan_defaults():
    r = resolve(PROFILES["yunnan_county"], "help", "normal")
    assert (r.sign_for, r.return_window, r.callback_window) == (Limit(1, "wd"), Limit(2, "wd"), Limit(1, "wd"))
    assert (r.max_extension_days, r.max_extensions, r.reminders) == (10, 1, (5, 3, 1, 0))
    assert [(s.action, s.after_wd) for s in r.escalation] == [("urge", 0), ("supervise", 5)]
    assert resolve(PROFILES["yunnan_county"], "help", "urgent").sign_for == Limit(2, "wh")


def test_shandong_extension_and_return():
    r = resolve(PROFILES["shandong"], Category.COMPLAINT, Urgency.NORMAL)
    assert (r.max_extension_days, r.return_window) == (10, Limit(2, "wd"))
    assert r.provenance["return_window"].status == "secondary"


def test_loader_errors(tmp_path):
    (tmp_path / "broken.yaml").write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="invalid YAML"):
        get_profile("broken", tmp_path)
    (tmp_path / "other.yaml").write_text((PROFILES_DIR / "sichuan.yaml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    with pytest.raises(ProfileError, match="file name"):
        get_profile("other", tmp_path)
    bad = (PROFILES_DIR / "sichuan.yaml").read_text(encoding="utf-8").replace("code: sichuan", "code: bad")
    (tmp_path / "bad.yaml").write_text(bad.replace("unit: wd", "unit: weeks", 1), encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        get_profile("bad", tmp_path)
    assert exc.value.problems[0].startswith("bad.yaml: ")
    assert "unknown unit" in str(exc.value)
    for code in ("nonexistent", "../profiles/sichuan"):
        with pytest.raises(ProfileError, match="unknown profile"):
            get_profile(code)
