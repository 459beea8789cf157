"""Which of an agency's notice settings are still missing: nothing printed on a notice may be a placeholder.

A fresh install starts with the agency "某县某局" and no contacts or remedy bodies. Registration is never
refused for it (the receipt date is the applicant's right), but until these are filled in every staff page
names what is missing and no document carrying a placeholder leaves the system (notifications.outbox holds it).
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.agencies.config import AgencyConfig

PLACEHOLDER_NAME = "某县某局"  # the first agency's name on a fresh install (settings.default_agency_name)


@dataclass(frozen=True)
class Missing:
    key: str
    label: str  # what to fill in, in plain Chinese


REQUIRED: tuple[tuple[str, str], ...] = (
    ("address", "通信地址"),
    ("phone", "联系电话"),
    ("reconsideration_organ", "行政复议机关"),
    ("litigation_court", "行政诉讼管辖法院"),
)


def missing_notice_settings(name: str, cfg: AgencyConfig) -> list[Missing]:
    """What must still be set before notices can go out (empty: complete)."""
    out = []
    if not name.strip() or name.strip() == PLACEHOLDER_NAME:
        out.append(Missing("name", "机关名称（仍是安装时的“某县某局”）"))
    for key, label in REQUIRED:
        if not str(getattr(cfg, key) or "").strip():
            out.append(Missing(key, label))
    return out


def missing_text(missing: list[Missing]) -> str:
    """"通信地址、联系电话" — for banners and messages."""
    return "、".join(m.label for m in missing)
