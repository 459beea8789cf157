"""A scripted set of 12345 orders run through the real workflow, for the statistics tests.

Agency A (the default agency, profile yunnan_county: sign-for 1 WD, consult 3 WD, help/suggestion 7 WD,
complaint/report 15 WD, callback 1 WD). Times are Beijing time. What each order contributes to 2026:

| order | category | received | sign-for | replies (cycle: month, on time) | callback | other |
|---|---|---|---|---|---|---|
| O0 | complaint | 2025-12-29 (not in 2026) | 2025-12-29 (not in 2026) | 1: Jan, on time | — | |
| O1 | complaint | Jan | Jan, on time | 1: Jan, on time | Jan 满意 | closed |
| O2 | complaint | Jan | Jan, late | 1: Feb, late (extended 5 WD) | Feb 基本满意 | |
| O3 | consult | Jan | Jan, on time | 1: Jan, on time → re-handled; 2: Jan, late | Jan 不满意; Jan 满意 | |
| O4 | help | Feb | — | — | — | return accepted |
| O5 | help | Jan (Fri 20:00) | Sun 1 Feb 07:30 (Feb in Beijing, Jan in UTC), on time | — | — | return rejected |
| O6 | suggestion | Mar | Mar, on time | 1: Mar, on time | Mar 基本满意 | closed |
| O7 | report | Mar | Mar, late | — | — | |
| O8 | complaint | Mar | — | — | — | open |

Agency B: O9 complaint received in January, signed on time (only in the all-agencies figures).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.helpers import Staff, make_staff
from tests.hotline_helpers import act, local, new_order
from tests.report import factory as f
from workflow.accounts.principal import Principal


def _order(engine: Engine, who: Principal, at: Any, category: str, no: str) -> int:
    return new_order(engine, who, at, order_no=no, category=category,
                     received_at=at.strftime("%Y-%m-%d %H:%M:%S"))


def _handle(engine: Engine, st: Staff, oid: int, signed: Any) -> None:
    act(engine, oid, "sign_for", st.front, signed)
    act(engine, oid, "assign", st.front, signed, assignee_id=st.officer.id)
    act(engine, oid, "start_handling", st.officer, signed)


def build(engine: Engine) -> dict[str, Any]:
    """Run the orders above; returns the staff of both agencies and the order ids."""
    st = make_staff(engine, local(2025, 12, 1))
    e, ids = engine, {}

    ids["O0"] = o = _order(e, st.front, local(2025, 12, 29, 10), "投诉", "O0")
    _handle(e, st, o, local(2025, 12, 29, 15))
    act(e, o, "reply", st.officer, local(2026, 1, 8, 10), result_text="已处理")

    ids["O1"] = o = _order(e, st.front, local(2026, 1, 5, 9), "投诉", "O1")
    _handle(e, st, o, local(2026, 1, 5, 15))
    act(e, o, "reply", st.officer, local(2026, 1, 9, 10), result_text="已处理")
    act(e, o, "record_callback", st.front, local(2026, 1, 12, 10), result="满意")
    act(e, o, "close", st.front, local(2026, 1, 12, 11))

    ids["O2"] = o = _order(e, st.front, local(2026, 1, 6, 10), "投诉", "O2")
    _handle(e, st, o, local(2026, 1, 9, 10))  # sign-for was due 2026-01-07 24:00
    act(e, o, "request_extension", st.officer, local(2026, 1, 20, 10), reason="需现场核查", days=5)
    act(e, o, "approve_extension", st.leader, local(2026, 1, 21, 10), days=5)  # due 01-27 → 02-03
    act(e, o, "reply", st.officer, local(2026, 2, 10, 10), result_text="已处理")
    act(e, o, "record_callback", st.front, local(2026, 2, 11, 10), result="基本满意")

    ids["O3"] = o = _order(e, st.front, local(2026, 1, 7, 9), "咨询", "O3")
    _handle(e, st, o, local(2026, 1, 7, 11))
    act(e, o, "reply", st.officer, local(2026, 1, 8, 10), result_text="已答复")  # due 01-12
    act(e, o, "record_callback", st.front, local(2026, 1, 9, 9), result="不满意")
    act(e, o, "rehandle", st.front, local(2026, 1, 9, 10), reason="来电人不满意")  # cycle 2, due 01-14
    act(e, o, "reply", st.officer, local(2026, 1, 20, 10), result_text="再次答复")
    act(e, o, "record_callback", st.front, local(2026, 1, 21, 10), result="满意")

    ids["O4"] = o = _order(e, st.front, local(2026, 2, 2, 9), "求助", "O4")
    act(e, o, "return_order", st.front, local(2026, 2, 2, 14), reason="不属于本单位职责")
    act(e, o, "accept_return", st.front, local(2026, 2, 3, 10))

    ids["O5"] = o = _order(e, st.front, local(2026, 1, 30, 20), "求助", "O5")
    act(e, o, "return_order", st.front, local(2026, 1, 30, 21), reason="不属于本单位职责")
    act(e, o, "reject_return", st.front, local(2026, 1, 31, 9))
    act(e, o, "sign_for", st.front, local(2026, 2, 1, 7, 30))  # due Mon 02-02 24:00

    ids["O6"] = o = _order(e, st.front, local(2026, 3, 2, 9, 15), "意见建议", "O6")
    _handle(e, st, o, local(2026, 3, 2, 10))
    act(e, o, "reply", st.officer, local(2026, 3, 4, 10), result_text="已采纳")
    act(e, o, "record_callback", st.front, local(2026, 3, 5, 10), result="基本满意")
    act(e, o, "close", st.front, local(2026, 3, 5, 11))

    ids["O7"] = o = _order(e, st.front, local(2026, 3, 3, 9), "举报", "O7")
    _handle(e, st, o, local(2026, 3, 5, 10))  # sign-for was due 03-04 24:00

    ids["O8"] = _order(e, st.front, local(2026, 3, 9, 9), "投诉", "O8")

    b = f.agency(e, "B", "乙局")
    st_b = make_staff(e, local(2025, 12, 1), agency_code="B")
    ids["O9"] = o = _order(e, st_b.front, local(2026, 1, 5, 9), "投诉", "O9")
    act(e, o, "sign_for", st_b.front, local(2026, 1, 5, 10))
    return {"staff": st, "staff_b": st_b, "a": st.agency_id, "b": b, "ids": ids}
