"""Maintained summaries (issue 21): counts the leaders' and supervisors' pages read instead of scanning the cases.

One row per (agency, request kind, grain, day, officer, unit, applicant category, table-三 row, state); ``grain``
says which of the key columns a row fills (workflow.tally.contrib), the others hold 0 or "". The counts move in the
same flush as the case or clock row that moves them (workflow.tally.hook); ``banli stats rebuild`` recomputes them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Index, Integer, PrimaryKeyConstraint, text
from sqlmodel import Field, SQLModel


def _count(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False, server_default=text("0"))


class CaseTally(SQLModel, table=True):
    """One summary cell; every count is a sum of +1/−1 deltas, never set from a scan except by a rebuild."""

    __tablename__ = "case_tally"
    __table_args__ = (
        # agency first: every reader asks for one agency (or a supervisor's few), then a grain and a day range
        PrimaryKeyConstraint("agency_id", "case_kind", "grain", "day", "assignee_id", "unit_id", "category",
                             "report_row", "state", name="pk_case_tally"),
        # the view of all agencies (a supervisor's, the consolidated report): by grain and day, any agency
        Index("ix_case_tally_all", "case_kind", "grain", "day"),
    )
    agency_id: int = Field(foreign_key="agency.id")
    case_kind: str = Field(max_length=16)
    grain: str = Field(max_length=1)  # s state · d day · p people · o open now · r report month · w row by day;
    # m, q, v: the months of d, p, w
    day: date  # the day (or month's first day) counted in; 2000-01-01 for the undated grains
    assignee_id: int = 0  # 0: nobody / not a key of this grain
    unit_id: int = 0
    category: str = Field(default="", max_length=24)
    report_row: str = Field(default="", max_length=16)
    state: str = Field(default="", max_length=32)
    cases: int = Field(default=0, sa_column=_count("cases"))
    received: int = Field(default=0, sa_column=_count("received"))
    concluded: int = Field(default=0, sa_column=_count("concluded"))
    closed: int = Field(default=0, sa_column=_count("closed"))
    replied: int = Field(default=0, sa_column=_count("replied"))
    on_time: int = Field(default=0, sa_column=_count("on_time"))
    extended: int = Field(default=0, sa_column=_count("extended"))
    wd_n: int = Field(default=0, sa_column=_count("wd_n"))  # replies whose working days are summed in ``wd``
    wd: int = Field(default=0, sa_column=_count("wd"))
