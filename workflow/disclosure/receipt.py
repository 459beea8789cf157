"""Receipt of a disclosure application: the query code, the receipt date by channel (条例第三十一条), the rest-day
rule, and numbering an application with its clocks — shared by the front desk, the portal's confirmation and a
12345 order converted to an application (none of which may import the action pipeline: it imports them)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from db.models import Disclosure
from states.calendar import WorkCalendar
from workflow.agencies.config import AgencyConfig
from workflow.cases.clocks import start_clock
from workflow.cases.numbers import next_number
from workflow.disclosure.context import KIND, Ctx
from workflow.disclosure.payloads import NEEDS_CONFIRMATION, RegisterIn
from workflow.timesource import local_date

QUERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_query_code() -> str:
    """10 characters from a 32-letter alphabet (50 bits), uniform: 256 is a multiple of 32.

    One ``os.urandom`` call, not one per character: each call releases the GIL, and under load a
    thread that released it waits up to the switch interval to get it back (measured: the ten
    calls of ``secrets.choice`` were a third of a registration's time in the API).
    """
    assert 256 % len(QUERY_ALPHABET) == 0
    return "".join(QUERY_ALPHABET[b % len(QUERY_ALPHABET)] for b in secrets.token_bytes(10))


def hash_query_code(code: str, salt: str | None = None) -> str:
    """``salt$sha256(salt+code)``; only this is stored (the applicant keeps the code)."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256((salt + code.strip().upper()).encode()).hexdigest()
    return f"{salt}${digest}"


def check_query_code(stored: str, code: str) -> bool:
    salt, _, _ = stored.partition("$")
    return secrets.compare_digest(stored, hash_query_code(code, salt))


def receipt_date_for(data: RegisterIn | Disclosure, tz: str) -> Any:
    """条例第三十一条: the receipt date by channel (before the rest-day rule)."""
    channel = data.channel
    when = data.confirmed_at if channel in NEEDS_CONFIRMATION else (
        data.received_at if isinstance(data, RegisterIn) else data.received_at_raw)
    assert when is not None
    return local_date(when, tz)


def start_registered(ctx: Ctx, *, receipt_date: Any, rolled_from: Any) -> None:
    """Number the application and start its clocks (shared by front-desk and online confirmation)."""
    row, session = ctx.row, ctx.session
    year = receipt_date.year
    seq = next_number(session, row.agency_id, "disclosure", year)
    row.tracking_no = ctx.cfg.tracking_format.format(year=year, seq=seq)
    row.receipt_date = receipt_date
    row.base_date = receipt_date
    row.registered_at = ctx.now
    row.registered_by = ctx.actor.id
    reason = "收到申请之日" + (f"（{rolled_from.isoformat()} 为休息日，顺延至下一工作日）" if rolled_from else "")
    # 条例第三十条: correction notice within 7 working days; 第三十三条: reply within 20 working days.
    start_clock(session, agency_id=row.agency_id, case_kind=KIND, case_id=ctx.case_id, kind="correction_notice",
                base=receipt_date, amount=ctx.cfg.correction_notice_wd, cal=ctx.cal, now=ctx.now, tz=ctx.tz,
                base_reason=reason)
    start_clock(session, agency_id=row.agency_id, case_kind=KIND, case_id=ctx.case_id, kind="reply",
                base=receipt_date, amount=ctx.cfg.reply_wd, cal=ctx.cal, now=ctx.now, tz=ctx.tz, base_reason=reason)


def rest_day_rule(cfg: AgencyConfig, cal: WorkCalendar, raw: date) -> tuple[date, date | None]:
    """(receipt date, rolled-from date or None): a rest-day receipt counts from the next working day
    (rules.md §1.2 practice note; configurable per agency)."""
    if cfg.receipt_on_rest_day_rolls_forward and not cal.is_workday(raw):
        return cal.next_workday(raw), raw
    return raw, None


