"""Each notice of an action gets the agency part of its context as ``agency_snapshot`` builds it, with containers of
its own: a notice that changes a list or dict it holds changes no other notice's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from db.models import Agency
from workflow.agencies.config import AgencyConfig
from workflow.disclosure.context import Ctx, agency_snapshot


def _containers(value: Any, path: str = "") -> dict[str, int]:
    """The id of every list and dict in ``value`` by its path."""
    out: dict[str, int] = {}
    if isinstance(value, dict):
        out[path] = id(value)
        for k, v in value.items():
            out.update(_containers(v, f"{path}.{k}"))
    elif isinstance(value, list):
        out[path] = id(value)
        for i, v in enumerate(value):
            out.update(_containers(v, f"{path}[{i}]"))
    return out


def test_each_notice_gets_its_own_containers() -> None:
    agency = Agency(id=1, code="a", name="某县人民政府办公室", created_at=datetime(2026, 1, 1, tzinfo=UTC),
                    settings={"mail_attachments": ["reply_pdf"], "signature_lines": ["某县人民政府办公室"]})
    cfg = AgencyConfig.model_validate({k: v for k, v in agency.settings.items() if k in AgencyConfig.model_fields})
    ctx = Ctx(None, None, agency, cfg, None, None, datetime(2026, 3, 2, tzinfo=UTC))  # type: ignore[arg-type]
    first, second = ctx.agency_part(), ctx.agency_part()
    assert first == second == agency_snapshot(agency, cfg)
    mine, theirs = _containers(first), _containers(second)
    assert len(mine) > 2  # the part itself, its lists (and any dict) — all of them copied
    assert not set(mine.values()) & set(theirs.values())
    first["missing"].append("x")
    assert second == agency_snapshot(agency, cfg)
