"""Roles and what each may do (pure)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Staff roles. A user may hold several."""

    FRONT_DESK = "front_desk"  # 前台登记
    OFFICER = "officer"  # 承办人
    LEADER = "leader"  # 负责人 (head of the disclosure office: approves extensions, reassigns)
    ADMIN = "admin"  # 机关管理员: its own agency's users, settings, calendars, templates
    SUPERVISOR = "supervisor"  # 监督 (reads the agencies below its own)
    INSTANCE_ADMIN = "instance_admin"  # 平台管理员: creates agencies and their administrators


ROLE_LABELS: dict[Role, str] = {
    Role.FRONT_DESK: "前台登记员",
    Role.OFFICER: "承办人",
    Role.LEADER: "负责人",
    Role.ADMIN: "机关管理员",
    Role.SUPERVISOR: "监督员",
    Role.INSTANCE_ADMIN: "平台管理员",
}


def parse_roles(text: str) -> frozenset[Role]:
    """Parse a comma-separated role list; unknown names raise ValueError."""
    return frozenset(Role(r.strip()) for r in text.split(",") if r.strip())
