"""Read 12345 time-limit profiles from the package data ``workflow/hotline/data/profiles/*.yaml`` (file I/O kept
out of states/; read through importlib.resources so an installed wheel finds them)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import yaml

from states.hotline_profiles import Profile, ProfileError, load_profile

PROFILES_DIR = Path(str(resources.files("workflow.hotline") / "data" / "profiles"))
DEFAULT_PROFILE = "yunnan_county"  # rules.md §5.5


def load_profile_file(path: Path) -> Profile:
    """Parse and validate one profile file; its ``code`` must equal the file name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProfileError([f"{path.name}: YAML 格式错误 / invalid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise ProfileError([f"{path.name}: 应为映射 / expected a mapping at the top level"])
    try:
        profile = load_profile(data)
    except ProfileError as exc:
        raise ProfileError([f"{path.name}: {p}" for p in exc.problems]) from exc
    if profile.code != path.stem:
        raise ProfileError([f"{path.name}: 方案代码“{profile.code}”与文件名不一致 / code must equal the file name"])
    return profile


def profile_codes(directory: Path = PROFILES_DIR) -> tuple[str, ...]:
    """The codes of the profile files in ``directory`` (the file names), sorted."""
    return tuple(sorted(p.stem for p in directory.glob("*.yaml")))


def load_profiles(directory: Path = PROFILES_DIR) -> dict[str, Profile]:
    """Every profile in ``directory`` by code."""
    return {code: load_profile_file(directory / f"{code}.yaml") for code in profile_codes(directory)}


def get_profile(code: str | None = None, directory: Path = PROFILES_DIR) -> Profile:
    """One profile by code (the default profile when ``code`` is None or empty)."""
    code = code or DEFAULT_PROFILE
    path = directory / f"{code}.yaml"
    if not re.fullmatch(r"[a-z0-9_]+", code) or not path.is_file():
        raise ProfileError([f"未知的时限方案“{code}” / unknown profile {code!r}"])
    return load_profile_file(path)
