"""Benchmark: the leaders' statistics (disclosure + 12345) on PostgreSQL with 200,000 work orders.

Fills its own database (default banli_bench_hotline_stats) with ``report_bench.fill`` (applications and their
reply clocks) plus work orders, their cycles and clocks loaded with COPY as the workflow would leave them
(sign-for met on time or late, returns, approved extensions, replies, callbacks with 满意/基本满意/不满意,
re-handling cycles, still-open orders). Times ``hotline_stats`` and ``stats_for_leaders`` (target < 200 ms)
for one agency and all agencies, and drops the database unless --keep. Usage:

    /work/main/.venv/bin/python bench/hotline_stats_bench.py [--orders 200000] [--applications 200000]
                                                            [--agencies 10] [--keep] [--reuse] [--doc FILE]
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import report_bench

import db.models  # noqa: F401
from db.engine import make_engine, read_session
from workflow.reports.annual import Period, hotline_stats, stats_for_leaders

START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
CATEGORIES = (("complaint", 0.35, 15), ("consult", 0.25, 3), ("help", 0.20, 7), ("suggestion", 0.12, 7),
              ("report", 0.08, 15))
RESULTS = (("satisfied", 0.60), ("basically_satisfied", 0.28), ("dissatisfied", 0.12))
N = "\\N"
W_COLS = [c.name for c in SQLModel.metadata.tables["workorder"].columns]
Y_COLS = [c.name for c in SQLModel.metadata.tables["workorder_cycle"].columns if c.name != "id"]


def _pick(rnd: random.Random, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    r, acc = rnd.random(), 0.0
    for row in table:
        acc += row[1]
        if r < acc:
            return row
    return table[-1]


def _v(value: Any) -> str:
    if value is None:
        return N
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value).replace("\t", " ").replace("\n", " ")


def _clock(agency: int, oid: int, kind: str, cycle: int, status: str, start: datetime, due: datetime,
           met: datetime | None, assignee: int | None) -> str:
    values: list[Any] = [agency, "workorder", oid, kind, cycle, status, "wd", 1, start.date(), due.date(), due, {}, 1,
                         False, [], 1, met, 0, assignee, START]
    return "\t".join(_v(x) for x in values)


def _lines(order: dict[str, Any], cycles: list[dict[str, Any]]) -> tuple[str, list[str]]:
    return "\t".join(_v(order[c]) for c in W_COLS), ["\t".join(_v(y.get(c)) for c in Y_COLS) for y in cycles]


def generate(n: int, agencies: int, users: dict[int, list[tuple[int, int]]], seed: int = 11
             ) -> Iterator[tuple[str, list[str], list[str]]]:
    """Yield (order line, cycle lines, clock lines) in COPY text format."""
    rnd = random.Random(seed)
    span = (END - START).total_seconds()
    for i in range(1, n + 1):
        agency = 1 + i % agencies
        received = START + timedelta(seconds=rnd.random() * span)
        category, _, days = _pick(rnd, CATEGORIES)
        assignee, unit = users[agency][rnd.randrange(len(users[agency]))]
        order: dict[str, Any] = dict.fromkeys(W_COLS)
        order.update(id=i, agency_id=agency, platform="12345", order_no=f"YN{i:010d}", version=5, state="closed",
                     cycle=1, received_at=received, caller_name="来电人", caller_phone="13900000000",
                     category=category, category_code="", urgency="normal", title="", content="诉求内容",
                     location="", designated=False, lead_unit="", assisting_units=[], profile_code="yunnan_county",
                     source_hash="h", assignee_id=assignee, unit_id=unit, extensions_used=0, extension_days_total=0,
                     overdue_level=0, callback_note="", related_ids=[], created_at=received, updated_at=received)
        sign_due = received + timedelta(days=1)
        ret_due = received + timedelta(days=2)
        clocks, cycles = [], []
        if rnd.random() < 0.03:  # returned out of the agency
            order.update(resolution="returned", closed_at=received + timedelta(hours=20))
            clocks += [_clock(agency, i, "sign_for", 1, "cancelled", received, sign_due, None, None),
                       _clock(agency, i, "return_window", 1, "met", received, ret_due, received + timedelta(hours=6),
                              None)]
            cycles.append(dict(workorder_id=i, cycle=1, reason="dispatch", reason_text="", started_at=received,
                               sign_for_due_at=sign_due, handling_due_at=received + timedelta(days=days * 1.4),
                               due_source="profile", extensions_used=0, extension_days=0,
                               ended_at=order["closed_at"]))
            yield *_lines(order, cycles), clocks
            continue
        signed = received + timedelta(hours=rnd.expovariate(1 / 14))
        clocks += [_clock(agency, i, "sign_for", 1, "met", received, sign_due, signed, assignee),
                   _clock(agency, i, "return_window", 1, "cancelled", received, ret_due, None, assignee)]
        start, cycle, reason = received, 1, "dispatch"
        while True:
            due = start + timedelta(days=days * 1.4)
            extended = rnd.random() < 0.08
            if extended:
                due += timedelta(days=7)
            replied = start + timedelta(days=rnd.expovariate(1 / (days * 1.1)))
            cyc: dict[str, Any] = dict(workorder_id=i, cycle=cycle, reason=reason, reason_text="", started_at=start,
                                       signed_at=signed if cycle == 1 else None,
                                       sign_for_due_at=sign_due if cycle == 1 else None, handling_due_at=due,
                                       due_source="profile", extensions_used=int(extended),
                                       extension_days=7 if extended else 0,
                                       signed_on_time=signed <= sign_due if cycle == 1 else None)
            if replied > END:  # still being handled
                order.update(state="handling", cycle=cycle, next_due_at=due)
                clocks.append(_clock(agency, i, "handling", cycle, "running", start, due, None, assignee))
                cycles.append(cyc)
                break
            clocks.append(_clock(agency, i, "handling", cycle, "met", start, due, replied, assignee))
            cyc.update(replied_at=replied, replied_on_time=replied <= due)
            call = replied + timedelta(hours=rnd.uniform(2, 30))
            result = _pick(rnd, RESULTS)[0] if rnd.random() < 0.9 else None
            clocks.append(_clock(agency, i, "callback", cycle, "met" if result else "cancelled", replied,
                                 replied + timedelta(days=1), call if result else None, assignee))
            cyc.update(callback_result=result, ended_at=call)
            cycles.append(cyc)
            order.update(replied_at=replied, callback_result=result, extensions_used=int(extended),
                         extension_days_total=7 if extended else 0, result_text="已办理")
            if result == "dissatisfied" and cycle == 1 and rnd.random() < 0.4:
                start, cycle, reason = call + timedelta(hours=1), 2, "rehandle"
                continue
            order.update(cycle=cycle, state="closed", resolution="completed", closed_at=call)
            break
        yield *_lines(order, cycles), clocks


def fill_orders(url: str, n: int, agencies: int) -> float:
    t0 = time.perf_counter()
    pg = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(pg) as conn, conn.cursor() as cur:
        users: dict[int, list[tuple[int, int]]] = {}
        for uid, agency, unit in cur.execute("SELECT id, agency_id, unit_id FROM app_user ORDER BY id"):
            users.setdefault(agency, []).append((uid, unit))
        idx = cur.execute("SELECT indexdef, indexname FROM pg_indexes WHERE tablename IN "
                          "('workorder', 'workorder_cycle', 'clock') "
                          "AND indexname NOT IN (SELECT conname FROM pg_constraint)").fetchall()
        for _, name in idx:
            cur.execute(f'DROP INDEX "{name}"')
        cycles: list[str] = []
        clocks: list[str] = []
        with cur.copy(f"COPY workorder ({', '.join(W_COLS)}) FROM STDIN") as cp:
            buf: list[str] = []
            for line, cyc, clk in generate(n, agencies, users):
                buf.append(line)
                cycles += cyc
                clocks += clk
                if len(buf) >= 20000:
                    cp.write("\n".join(buf) + "\n")
                    buf.clear()
            if buf:
                cp.write("\n".join(buf) + "\n")
        report_bench.copy_lines(cur, "workorder_cycle", Y_COLS, cycles)
        report_bench.copy_lines(cur, "clock", report_bench.C_COLS, clocks)
        cur.execute("SELECT setval(pg_get_serial_sequence('workorder', 'id'), %s)", (n,))
        for ddl, _ in idx:
            cur.execute(ddl)
        conn.commit()
    with psycopg.connect(pg, autocommit=True) as conn:
        for t in ("workorder", "workorder_cycle", "clock"):
            conn.execute(f"VACUUM ANALYZE {t}")
    print(f"  {n:,} orders, {len(cycles):,} cycles, {len(clocks):,} clocks", flush=True)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--applications", type=int, default=200_000)
    args = report_bench.database_options(ap, db="banli_bench_hotline_stats", agencies=10).parse_args()
    url = report_bench.database_url(args)
    load_s = 0.0
    if not args.reuse:
        print(f"filling {args.db}: {args.applications:,} applications, {args.orders:,} orders, "
              f"{args.agencies} agencies …", flush=True)
        load_s = report_bench.fill(args.admin_url, url, args.db, args.applications, args.agencies)
        load_s += fill_orders(url, args.orders, args.agencies)
        print(f"  loaded in {load_s:.1f} s", flush=True)
    engine = make_engine(url, pool_size=2)
    year = Period.year(args.year)
    results = []
    try:
        with read_session(engine) as s:
            for label, agency in (("one agency", 1), ("all agencies", None)):
                h = hotline_stats(s, agency, year)
                med, worst = report_bench.timed(functools.partial(hotline_stats, s, agency, year))
                r = h["rates"]
                results.append((f"hotline_stats({label}, {args.year})", med, worst, 200,
                                f"received={h['received']:,} replied={h['replied']:,} "
                                f"handling_on_time={r['handling_on_time']['rate']} "
                                f"satisfaction={r['satisfaction']['rate']}"))
                both = stats_for_leaders(s, agency, year)
                med, worst = report_bench.timed(functools.partial(stats_for_leaders, s, agency, year))
                results.append((f"stats_for_leaders({label}, {args.year})", med, worst, 200,
                                f"disclosure received={both['disclosure']['received']:,}, "
                                f"12345 received={both['hotline']['received']:,}"))
    finally:
        engine.dispose()
        report_bench.drop_unless_kept(args)
    return report_bench.write_results(results, load_s, args.doc, f"{args.orders:,} work orders and "
                                      f"{args.applications:,} applications, {args.agencies} agencies")


if __name__ == "__main__":
    raise SystemExit(main())
