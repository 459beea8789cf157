"""Benchmark: annual report and leaders' statistics over 1,000,000 applications on PostgreSQL.

Fills its own database (default banli_bench_report) with COPY, then times ``annual_report`` (target
< 2 s) and ``disclosure_stats`` (target < 200 ms) per agency and across all agencies, and drops the
database unless --keep. Usage:

    /work/main/.venv/bin/python bench/report_bench.py [--rows 1000000] [--agencies 20] [--keep]
"""

from __future__ import annotations

import argparse
import bisect
import functools
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db.models
from db.engine import make_engine, read_session
from states.annual_report import RESULT_KEYS
from workflow.reports.annual import annual_report, disclosure_stats

START, AS_OF = date(2022, 1, 1), date(2026, 11, 20)
DAYS = [(START + timedelta(days=i)).isoformat() for i in range((AS_OF - START).days + 60)]
CATEGORIES = ["natural", "business", "research", "public_welfare", "legal_service", "other"]
CAT_CUM = [0.80, 0.90, 0.93, 0.96, 0.98, 1.0]
ROWS = list(RESULT_KEYS["2021"])
ROW_WEIGHTS = [40, 10] + [1] * 8 + [12, 3, 2] + [2, 3, 1, 1, 1] + [3, 1, 6]
ROW_CUM = [sum(ROW_WEIGHTS[: i + 1]) / sum(ROW_WEIGHTS) for i in range(len(ROWS))]

D_COLS = ["id", "agency_id", "version", "state", "tracking_no", "query_code_hash", "applicant_type", "applicant_category", "applicant_name", "id_type", "id_number", "applicant_key", "phone", "email", "address", "postal_code", "contact_person", "assisted", "oral", "description", "document_ref", "purpose", "form_wanted", "obtain_way", "channel", "received_at_raw", "receipt_date", "base_date", "assignee_id", "unit_id", "correction_requested", "extended", "extension_days", "delayed", "overdue_level", "fee_amount", "fee_detail", "fee_paid_date", "decision_detail", "report_row", "replied_at", "concluded_at", "concluded_date", "delivery", "duplicate_flag", "created_at", "updated_at"]
C_COLS = ["agency_id", "case_kind", "case_id", "kind", "cycle", "status", "unit", "amount", "start_date", "due_date", "due_at", "explanation", "calendar_version", "provisional", "missing_years", "deadline_version", "met_at", "overdue_level", "assignee_id", "updated_at"]
N = "\\N"
TS = "2026-01-01 00:00:00+00"


def generate(n: int, agencies: int, users: dict[int, list[tuple[int, int]]], seed: int = 7, first: int = 1
             ) -> Iterator[tuple[str, str | None]]:
    """Yield (disclosure line, clock line or None) in COPY text format, for application ids ``first``..``n``."""
    rnd = random.Random(seed + first - 1)
    span = (AS_OF - START).days
    for i in range(first, n + 1):
        agency = 1 + i % agencies
        r = rnd.random()
        cat = CATEGORIES[bisect.bisect_left(CAT_CUM, r)]
        rec = rnd.randrange(span + 1)
        con: int | None = rec + rnd.randint(1, 45)
        if con is not None and (con > span or rnd.random() < 0.003):
            con = None
        row = ROWS[min(bisect.bisect_left(ROW_CUM, rnd.random()), len(ROWS) - 1)] if con is not None else None
        replied = con is not None and row is not None and not row.startswith("3.6")
        assignee, unit = users[agency][rnd.randrange(len(users[agency]))]
        fee = rnd.random() < 0.02
        rec_s = DAYS[rec]
        con_s = DAYS[con] if con is not None else None
        con_ts = f"{con_s} 08:00:00+00" if con_s else N
        state = "open" if con is None else ("replied" if replied else "closed")
        line = "\t".join((
            str(i), str(agency), "1", state, f"T{i}", "h", "natural" if cat == "natural" else "organization", cat,
            "申请人", "id", str(i), f"id:{i}", "", "", "", "", "", "f", "f", "申请公开某信息", "", "", "electronic",
            "email", "internet", f"{rec_s} 02:00:00+00", rec_s, rec_s, str(assignee), str(unit), "f",
            "t" if rnd.random() < 0.05 else "f", "0", "f", "0",
            str(rnd.randint(1, 50) * 100) if fee else N, "{}", DAYS[rec + 5] if fee else N, "{}",
            row or N, con_ts if replied else N, con_ts, con_s or N, "{}", "f", TS, TS,
        ))
        clock = None
        if replied or con is None:
            due = rec + 28
            clock = "\t".join((
                str(agency), "disclosure", str(i), "reply", "1", "met" if replied else "running", "wd", "20",
                rec_s, DAYS[due], f"{DAYS[due]} 15:59:59+00", "{}", "1", "f", "[]", "1",
                con_ts if replied else N, "0", str(assignee), TS,
            ))
        yield line, clock


def fill(admin: str, url: str, dbname: str, n: int, agencies: int) -> float:
    t0 = time.perf_counter()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    engine = make_engine(url, pool_size=2)
    SQLModel.metadata.create_all(engine)
    from datetime import UTC, datetime

    with engine.begin() as sa_conn:
        users = agencies_with_officers(sa_conn, agencies, datetime(2026, 1, 1, tzinfo=UTC))
    engine.dispose()
    pg = url.replace("postgresql+psycopg://", "postgresql://", 1)
    copy_generated(pg, n, agencies, users)
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE disclosure")
        conn.execute("VACUUM ANALYZE clock")
    return time.perf_counter() - t0


def agencies_with_officers(sa_conn: Any, agencies: int, now: Any, existing: int = 0
                           ) -> dict[int, list[tuple[int, int]]]:
    """Agencies ``existing``+1..``agencies`` (ids as numbered) and 3 units of 2 officers in each of 1..``agencies``:
    {agency: [(officer id, unit id)]} for ``generate``."""
    unit_t, user_t = SQLModel.metadata.tables["unit"], SQLModel.metadata.tables["app_user"]
    users: dict[int, list[tuple[int, int]]] = {}
    for a in range(1, agencies + 1):
        if a > existing:
            sa_conn.execute(insert(db.models.Agency).values(id=a, code=f"a{a}", name=f"机关{a}", settings={},
                                                         created_at=now))
        users[a] = []
        for u in range(3):
            unit_id = sa_conn.execute(insert(unit_t).values(agency_id=a, name=f"科室{a}-{u}")
                                      .returning(unit_t.c.id)).scalar_one()
            for k in range(2):
                uid = sa_conn.execute(insert(user_t).values(
                    agency_id=a, unit_id=unit_id, username=f"u{a}_{u}_{k}", display_name=f"承办人{a}-{u}-{k}",
                    password_hash="x", created_at=now).returning(user_t.c.id)).scalar_one()
                users[a].append((uid, unit_id))
    return users


def copy_generated(pg: str, last: int, agencies: int, users: dict[int, list[tuple[int, int]]], first: int = 1) -> None:
    """COPY ``generate``'s applications ``first``..``last`` and their clocks into the database at ``pg`` (a libpq
    URL), streamed: without the secondary indexes of both tables, rebuilt afterwards (the usual bulk-load order);
    the clock lines wait in a temporary file while the applications are copied, so memory stays flat whatever
    ``last`` is. The caller runs VACUUM ANALYZE."""
    import tempfile

    with psycopg.connect(pg) as conn, conn.cursor() as cur, tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        idx = cur.execute("SELECT indexdef, indexname FROM pg_indexes WHERE tablename IN ('disclosure','clock') "
                          "AND indexname NOT IN (SELECT conname FROM pg_constraint)").fetchall()
        for _, name in idx:
            cur.execute(f'DROP INDEX "{name}"')
        with cur.copy(f"COPY disclosure ({', '.join(D_COLS)}) FROM STDIN") as cp:
            buf: list[str] = []
            for line, clock in generate(last, agencies, users, first=first):
                buf.append(line)
                if clock:
                    spool.write(clock + "\n")
                if len(buf) >= 20000:
                    cp.write("\n".join(buf) + "\n")
                    buf.clear()
            if buf:
                cp.write("\n".join(buf) + "\n")
        spool.seek(0)
        with cur.copy(f"COPY clock ({', '.join(C_COLS)}) FROM STDIN") as cp:
            while chunk := spool.read(1 << 20):
                cp.write(chunk)
        cur.execute("SELECT setval(pg_get_serial_sequence('disclosure', 'id'), %s)", (last,))
        for ddl, _ in idx:
            cur.execute(ddl)
        conn.commit()


def copy_lines(cur: Any, table: str, cols: Sequence[str], lines: list[str]) -> None:
    """COPY ``lines`` (tab-separated, in ``cols`` order) into ``table``, 20,000 lines a write."""
    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
        for j in range(0, len(lines), 20000):
            cp.write("\n".join(lines[j: j + 20000]) + "\n")


def timed(fn: Callable[[], Any], runs: int = 5) -> tuple[float, float]:
    fn()  # warm the caches (the same conditions for every figure)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = database_options(ap, db="banli_bench_report", agencies=20).parse_args()
    url = database_url(args)
    load_s = 0.0
    if not args.reuse:
        print(f"filling {args.db}: {args.rows:,} applications, {args.agencies} agencies …", flush=True)
        load_s = fill(args.admin_url, url, args.db, args.rows, args.agencies)
        print(f"  loaded in {load_s:.1f} s", flush=True)
    engine = make_engine(url, pool_size=2)
    results = []
    try:
        with read_session(engine) as s:
            for label, agency in (("one agency", 1), ("all agencies", None)):
                rep = annual_report(s, agency, args.year)
                assert rep.ok, [c for c in rep.checks if not c.ok]
                med, worst = timed(functools.partial(annual_report, s, agency, args.year))
                results.append((f"annual_report({label}, {args.year})", med, worst, 2000,
                                f"一={rep.table3.values['1'][6]:,} 三={rep.table3.values['3.7'][6]:,}"))
                st = disclosure_stats(s, agency, args.year)
                med, worst = timed(functools.partial(disclosure_stats, s, agency, args.year))
                results.append((f"disclosure_stats({label}, {args.year})", med, worst, 200,
                                f"received={st['received']:,} on_time={st['on_time_rate']}"))
    finally:
        engine.dispose()
        drop_unless_kept(args)
    return write_results(results, load_s, args.doc, f"{args.rows:,} applications, {args.agencies} agencies")


def database_options(ap: argparse.ArgumentParser, *, db: str, agencies: int) -> argparse.ArgumentParser:
    """The options of a benchmark on its own filled PostgreSQL database (kept for --reuse with --keep)."""
    ap.add_argument("--agencies", type=int, default=agencies)
    ap.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1/postgres")
    ap.add_argument("--db", default=db)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", action="store_true", help="time a database kept by an earlier --keep run")
    ap.add_argument("--doc", type=Path, help="append the figures to this markdown file")
    return ap


def database_url(args: argparse.Namespace) -> str:
    """The benchmark database's SQLAlchemy URL (psycopg), beside --admin-url's."""
    return str(args.admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{args.db}")


def drop_unless_kept(args: argparse.Namespace) -> None:
    """Drop the benchmark database unless ``--keep`` (for ``--reuse`` runs)."""
    if not args.keep:
        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def write_results(results: list[tuple[str, float, float, int, str]], load_s: float, doc: Path | None,
                  what: str) -> int:
    """Print the results table (median, max, target, ok/SLOW) and append it to ``doc`` when given."""
    lines = ["| measurement | median ms | max ms | target ms | result | data |", "|---|---:|---:|---:|---|---|"]
    for name, med, worst, target, info in results:
        lines.append(f"| {name} | {med:.1f} | {worst:.1f} | {target} | {'ok' if med < target else 'SLOW'} | {info} |")
    print(f"load (COPY + indexes + VACUUM ANALYZE): {load_s:.1f} s")
    print("\n".join(lines))
    if doc:
        with doc.open("a", encoding="utf-8") as fh:
            fh.write(f"\nRun: {what}, load {load_s:.1f} s\n\n")
            fh.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
