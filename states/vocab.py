"""The stored vocabularies that are not a request kind's own states (issue 17: enums, not bare strings): a clock's
status, an outbox row's status, an approval request's status, an import job's state, the built-in case kinds.

The stored values stay the plain strings they always were (a StrEnum member equals its value): the columns, the
JSON and the templates read the same text.
"""

from __future__ import annotations

from enum import StrEnum


class ClockStatus(StrEnum):
    """``clock.status`` (workflow.cases.clocks)."""

    RUNNING = "running"  # counting toward its due day or instant
    PAUSED = "paused"  # stopped for a while (条例第三十条 补正, a 12345 suspension), resumed later
    MET = "met"  # the action it waited for was taken (in time or late)
    LAPSED = "lapsed"  # the period ran out and that is the outcome (a fee not paid, a correction not made)
    CANCELLED = "cancelled"  # no longer relevant (the case closed another way)


OPEN_CLOCK: tuple[ClockStatus, ...] = (ClockStatus.RUNNING, ClockStatus.PAUSED)  # still to be met


class OutboxStatus(StrEnum):
    """``outbox.status`` (notifications.outbox)."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by an instance, under a lease
    SENT = "sent"  # delivered (or stored: printed, in-app only)
    DEAD = "dead"  # given up on after the last attempt; an administrator may retry it
    HELD = "held"  # never claimed: waits for the agency's notice settings (workflow.agencies.held releases it)


class ApprovalStatus(StrEnum):
    """``approval_request.status`` (an extension waiting for a leader or the platform)."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    CANCELLED = "cancelled"  # the case ended before anyone decided


class JobState(StrEnum):
    """A background import's state, as its status file and the API report it (web.import_jobs)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # running, but not heard of for a while: its process stopped (upload it again)


class CaseKindName(StrEnum):
    """The built-in request kinds, as ``case_kind`` columns store them (a kind's descriptor carries its name:
    workflow.cases.kind.CaseKind)."""

    DISCLOSURE = "disclosure"  # 政府信息公开申请
    WORKORDER = "workorder"  # 12345工单
