"""First start: migrate, create the default agency, seed the calendar, create the first admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import select

from db.engine import write_session
from db.migrate import upgrade
from db.models import Agency, User
from settings import Settings
from workflow.accounts.users import create_user_in
from workflow.calendar.fixed import packaged_fixed_holidays
from workflow.calendar.seed import seed_from_chinese_calendar
from workflow.calendar.service import seed_national, sync_fixed_holidays


@dataclass(frozen=True)
class BootstrapResult:
    agency_code: str
    admin_username: str | None  # set when the admin account was created just now
    admin_password: str | None
    seeded_years: int


def ensure_database(engine: Engine, settings: Settings, *, now: datetime) -> BootstrapResult:
    """Idempotent: safe on every start and from several instances (unique keys decide)."""
    upgrade(engine)
    with write_session(engine) as session:
        agency = session.exec(select(Agency).order_by(Agency.id)).first()  # type: ignore[arg-type]
        if agency is None:
            agency = Agency(code=settings.default_agency_code, name=settings.default_agency_name,
                            settings={}, created_at=now)
            session.add(agency)
            session.flush()
        seeded = seed_national(session, seed_from_chinese_calendar(), now=now)
        sync_fixed_holidays(session, packaged_fixed_holidays())
        admin_user = admin_pw = None
        if session.exec(select(User.id)).first() is None:
            admin_user, admin_pw = "admin", secrets.token_urlsafe(12)
            # The instance administrator (creates agencies) and this agency's administrator; the printed password
            # is changed at the first login.
            user = create_user_in(session, agency=agency, username=admin_user, password=admin_pw,
                                  roles=["instance_admin", "admin", "leader", "front_desk", "officer"],
                                  display_name="系统管理员", now=now)
            user.must_change_password = True
        session.commit()
        return BootstrapResult(agency.code, admin_user, admin_pw, seeded)
