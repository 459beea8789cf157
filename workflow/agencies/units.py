"""An agency's internal units (科室), as the forms offer them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from db.models import Unit


def units_in(s: Session, agency_id: int) -> list[tuple[int, str]]:
    """``(id, name)`` of the agency's units, in the order they were created."""
    return [(u.id or 0, u.name) for u in s.exec(select(Unit).where(Unit.agency_id == agency_id)
                                                .order_by(col(Unit.id))).all()]
