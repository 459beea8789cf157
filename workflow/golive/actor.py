"""Who an import of history takes its steps as (the go-live import, historical 12345 orders)."""

from __future__ import annotations

from states.policy import may_import_history
from states.roles import Role
from workflow.accounts.principal import Principal
from workflow.errors import InvalidTransition

IMPORT_ROLES = frozenset({Role.FRONT_DESK, Role.OFFICER, Role.LEADER})  # every step of either procedure


def import_principal(user: Principal) -> Principal:
    """The person who runs the import (states.policy.may_import_history), with every role the steps need — the
    import replays what several clerks did on paper; each event names that person and the import."""
    if not may_import_history(user.actor):
        raise InvalidTransition("只有本机关的系统管理员或负责人可以导入历史记录", [], "forbidden")
    return Principal(user.id, user.agency_id, IMPORT_ROLES, f"{user.label}（上线导入）")
