"""操作记录: the audit trail of account and agency-settings changes, for the agency's admin.

Entries (``workflow.accounts.audit_trail``) have ``case_kind`` "account" (the account's id) or "agency" (written by
``workflow.accounts.admin``, ``workflow.accounts.users.create_user`` and ``workflow.agencies.admin``) or "outbox"
(an admin's retry of a dead letter, ``workflow.ops.dead_letters``), newest first, a page
of ``PAGE`` at a time (``?before=<event id>``), each as web.audit_log words it (as ``GET /api/admin/audit`` does).
Passwords are never recorded.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from states.roles import Role
from web.audit_log import audit_log as log_of
from web.auth import CurrentUser
from web.pages.render import render
from web.pages.session import app_engine, require
from workflow.accounts.audit_trail import audit_page

router = APIRouter(prefix="/audit", include_in_schema=False)
IsAdmin = require(Role.ADMIN)
PAGE = 100


@router.get("")
def audit_log(request: Request, before: int | None = None, user: CurrentUser = IsAdmin) -> Response:
    log = log_of(audit_page(app_engine(request), user.agency_id, before=before, limit=PAGE))
    items = [{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action_label, "target": e.target,
              "details": e.details} for e in log.lines]
    return render(request, "admin/audit.html", {"items": items, "next_before": log.next_before})
