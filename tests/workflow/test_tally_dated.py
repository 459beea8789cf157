"""A period's rows of a daily summary grain (``workflow.tally.read.Dated``: whole months from the monthly twin, a
part month from its days or from the twin less its other days, whichever is fewer) sum to exactly the days of the
period, for any period — on SQLite and PostgreSQL, over summary rows written by the store as the workflow writes them
(every daily count with its monthly twin)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency
from workflow.tally import store
from workflow.tally.contrib import Delta, key
from workflow.tally.read import FOREVER, Dated
from workflow.tally.store import T

START, END = date(2025, 11, 1), date(2026, 3, 31)
DAYS = [START + timedelta(days=i) for i in range((END - START).days + 1)]


def _load(engine) -> tuple[int, dict[date, int]]:  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        other = Agency(code="dated-other", name="另一局", settings={}, created_at=datetime(2026, 1, 1, tzinfo=UTC))
        s.add(other)
        s.commit()
        one = s.exec(select(Agency.id).where(Agency.code != "dated-other").order_by(Agency.id)).first()
        assert one is not None and other.id is not None
        agencies = (int(one), int(other.id))
    rnd = random.Random(5)
    per_day = {d: rnd.choice([0, 0, 1, 2, 7]) for d in DAYS}
    delta: Delta = Counter()
    for d, n in per_day.items():
        if n:
            delta[(key(agencies[0], "disclosure", "d", d), "received")] += n
            delta[(key(agencies[1], "disclosure", "d", d), "received")] += 1  # another agency: never counted
    with write_session(engine) as s:
        store.add(s.connection(), delta)
        s.commit()
    return agencies[0], per_day


def test_any_period_sums_its_days(db) -> None:  # type: ignore[no-untyped-def]
    agency, per_day = _load(db.engine)

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.sampled_from(DAYS), st.integers(min_value=-3, max_value=130))
    def check(first: date, length: int) -> None:
        last = first + timedelta(days=length)
        dated = Dated(agency, "d", first, last)
        with read_session(db.engine) as s:
            got = s.execute(select(dated.sum(T.c.received)).where(dated.where)).scalar()
        assert int(got or 0) == sum(n for d, n in per_day.items() if first <= d <= last), (first, last)

    check()
    # "every day after" (open at the end of a past period: what came and went after it)
    for first in (date(2025, 12, 17), date(2026, 2, 1), date(2026, 3, 30)):
        dated = Dated(agency, "d", first, FOREVER)
        with read_session(db.engine) as s:
            got = s.execute(select(dated.sum(T.c.received)).where(dated.where)).scalar()
        assert int(got or 0) == sum(n for d, n in per_day.items() if d >= first), first
