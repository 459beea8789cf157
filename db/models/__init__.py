"""All tables; import this module to populate ``SQLModel.metadata``."""

from db.models.calendar import CalendarDay, CalendarNotice, CalendarState
from db.models.common import (
    ApprovalRequest,
    Clock,
    ClockAdjustment,
    Event,
    JobRun,
    NumberSeries,
    Outbox,
    StoredFile,
    SweepStatus,
)
from db.models.core import Agency, Unit, User, UserRole
from db.models.disclosure import AnnualReportVersion, Consultation, Disclosure, RemedyCase
from db.models.hotline import WorkOrder, WorkOrderCycle
from db.models.tally import CaseTally
from db.models.web import ChallengeUse, LoginThrottle, RateCounter, WebSession

__all__ = [
    "Agency",
    "AnnualReportVersion",
    "ApprovalRequest",
    "CalendarDay",
    "CalendarNotice",
    "CalendarState",
    "CaseTally",
    "ChallengeUse",
    "Clock",
    "ClockAdjustment",
    "Consultation",
    "Disclosure",
    "Event",
    "JobRun",
    "LoginThrottle",
    "NumberSeries",
    "Outbox",
    "RateCounter",
    "RemedyCase",
    "StoredFile",
    "SweepStatus",
    "Unit",
    "User",
    "UserRole",
    "WebSession",
    "WorkOrder",
    "WorkOrderCycle",
]
