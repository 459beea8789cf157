"""``banli check`` and ``GET /api/admin/health``: is this instance healthy, and if not, what to do.

Each check answers ok / warn / fail with a Chinese message for the administrator and an English one for
the operator's tools. Failures need action now (the schema is behind, a stored file is gone, nothing has
been sent for an hour); warnings need attention soon (dead letters, next year's holidays not imported).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlmodel import col, func, select

from db.engine import read_session
from db.migrate import current_revision, head_revision, known_revision
from db.models import Agency, CalendarNotice, Outbox, SweepStatus, User
from settings import Settings
from states.vocab import OutboxStatus
from workflow.agencies.checks import settings_problems
from workflow.agencies.config import agency_config
from workflow.agencies.labels import setting_label
from workflow.ops.files_check import LISTED, check_files

log = logging.getLogger(__name__)
OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}
HEARTBEAT_FAIL_S = 10 * 60  # the outbox sweep runs every 15 s, the others every minute
OUTBOX_LAG_FAIL_S = 60 * 60
STUCK_LEASE_S = 10 * 60


@dataclass
class Check:
    name: str
    title: str
    status: str
    message: str  # 中文，给管理员
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class HealthReport:
    checked_at: str
    checks: list[Check]

    @property
    def status(self) -> str:
        return max((c.status for c in self.checks), key=_RANK.__getitem__, default=OK)

    def exit_code(self, *, strict: bool = False) -> int:
        """0 healthy; 1 when a check failed (or, with ``strict``, warned)."""
        worst = _RANK[self.status]
        return 1 if worst == 2 or (strict and worst == 1) else 0

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "checked_at": self.checked_at, "checks": [asdict(c) for c in self.checks]}

    def text(self) -> str:
        label = {OK: "正常 OK  ", WARN: "注意 WARN", FAIL: "失败 FAIL"}
        lines = [f"办理 banli 健康检查 / health check — {self.checked_at}"]
        for c in self.checks:
            lines.append(f"[{label[c.status]}] {c.title}：{c.message}")
            if c.status != OK:
                lines.append(f"            ({c.message_en})")
            lines.extend(f"            - {item}" for item in c.details.get("items", []))
        verdict = {OK: "健康 / healthy", WARN: "健康，但有需要注意的事项 / healthy with warnings",
                   FAIL: "不健康 / UNHEALTHY"}[self.status]
        lines.append(f"结论 / verdict: {verdict}")
        return "\n".join(lines)


def check_schema(engine: Engine, settings: Settings, now: datetime, quick: bool) -> Check:
    current, head = current_revision(engine), head_revision()
    d = {"current": current, "head": head}
    if current is None:
        return Check("schema", "数据库结构 schema", FAIL, "数据库尚未初始化：请运行 banli migrate",
                     "database not initialised: run banli migrate", d)
    if current == head:
        return Check("schema", "数据库结构 schema", OK, f"结构版本 {current}，与程序一致", f"at {current}", d)
    if not known_revision(current):
        return Check("schema", "数据库结构 schema", FAIL,
                     f"数据库结构版本 {current} 比本程序（{head}）新：请安装与数据库相同或更新的版本",
                     f"database revision {current} is newer than this release ({head})", d)
    return Check("schema", "数据库结构 schema", FAIL,
                 f"数据库结构版本 {current} 落后于程序（{head}）：先备份（banli backup），停止调度程序，"
                 "再运行 banli migrate", f"database at {current}, behind {head}: back up, then banli migrate", d)


def check_database(engine: Engine, settings: Settings, now: datetime, quick: bool) -> Check:
    problems: list[str] = []
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            pragma = "quick_check" if quick else "integrity_check"
            rows = [r[0] for r in c.exec_driver_sql(f"PRAGMA {pragma}")]
            problems += [r for r in rows if r != "ok"]
            problems += [f"foreign key: {r[0]} row {r[1]} → {r[2]}"
                         for r in c.exec_driver_sql("PRAGMA foreign_key_check")]
        else:
            c.execute(text("SELECT 1"))
            problems += [f"invalid index {r[0]}" for r in c.execute(text(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"))]
    d = {"dialect": engine.dialect.name, "items": problems[:LISTED], "problems": len(problems)}
    if problems:
        return Check("database", "数据库完整性 integrity", FAIL,
                     f"发现 {len(problems)} 处损坏：请从最近的备份恢复（banli restore）",
                     f"{len(problems)} integrity problems", d)
    return Check("database", "数据库完整性 integrity", OK, "未发现损坏", "no problems found", d)


def check_stored_files(engine: Engine, settings: Settings, now: datetime, quick: bool) -> Check:
    r = check_files(engine, settings.files_path, hashed=not quick)
    d = {"files_dir": str(settings.files_path), "rows": r.rows, "blobs": r.blobs, "bytes": r.bytes,
         "hashed": r.hashed, "missing": r.missing, "corrupt": r.corrupt,
         "items": [p.describe() for p in r.problems[:LISTED]]}
    how = "逐个校验了内容（SHA-256）" if r.hashed else "只核对了是否存在与大小"
    if r.problems:
        return Check("files", "存储文件 files", FAIL,
                     f"{r.missing} 个文件缺失、{r.corrupt} 个文件损坏（共 {r.blobs} 个）：从备份恢复这些文件",
                     f"{r.missing} missing, {r.corrupt} corrupt of {r.blobs} stored files", d)
    return Check("files", "存储文件 files", OK, f"{r.blobs} 个文件齐全（{how}）",
                 f"{r.blobs} files present" + (" and hashed" if r.hashed else ""), d)


def check_outbox(engine: Engine, settings: Settings, now: datetime, quick: bool) -> Check:
    with read_session(engine) as s:
        by_status = {k: int(v) for k, v in s.exec(
            select(Outbox.status, func.count()).group_by(col(Outbox.status))).all()}
        oldest_due = s.exec(select(func.min(Outbox.next_attempt_at)).where(
            Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now)).one()
        stuck = int(s.exec(select(func.count()).select_from(Outbox).where(
            Outbox.status == OutboxStatus.SENDING,
            col(Outbox.lease_until) < now - timedelta(seconds=STUCK_LEASE_S))).one())
    lag = (now - oldest_due).total_seconds() if oldest_due else 0.0
    dead = by_status.get(OutboxStatus.DEAD, 0)
    d = {"by_status": by_status, "lag_seconds": round(lag, 1), "dead": dead, "stuck_sending": stuck}
    if lag > OUTBOX_LAG_FAIL_S:
        return Check("outbox", "通知发送 outbox", FAIL,
                     f"最早的待发通知已等待 {lag / 60:.0f} 分钟：检查调度程序与邮件服务器",
                     f"oldest due notice waiting {lag:.0f}s", d)
    if dead or stuck:
        return Check("outbox", "通知发送 outbox", WARN,
                     f"{dead} 条通知发送失败（死信）、{stuck} 条发送中断：请在管理页面查看原因并重发",
                     f"{dead} dead letters, {stuck} rows stuck in sending", d)
    return Check("outbox", "通知发送 outbox", OK, f"无积压（待发 {by_status.get(OutboxStatus.PENDING, 0)} 条）",
                 "no backlog", d)


def check_scheduler(engine: Engine, settings: Settings, now: datetime, quick: bool) -> Check:
    with read_session(engine) as s:
        rows = s.exec(select(SweepStatus)).all()
    last = max((r.last_finished_at for r in rows if r.last_finished_at), default=None)
    errors = [f"{r.job}: {r.last_error}" for r in rows if r.last_error]
    d: dict[str, Any] = {"last_finished_at": last.isoformat() if last else None, "items": errors[:LISTED]}
    if last is None:
        return Check("scheduler", "调度程序 scheduler", WARN,
                     "调度程序还没有运行过：请启动 banli worker（或 BANLI_SCHEDULER=on 的 banli serve）",
                     "no sweep has ever finished: start banli worker", d)
    age = (now - last).total_seconds()
    d["age_seconds"] = round(age, 1)
    if age > HEARTBEAT_FAIL_S:
        return Check("scheduler", "调度程序 scheduler", FAIL,
                     f"调度程序已 {age / 60:.0f} 分钟没有运行：提醒、催办和发信都停了，请检查 banli worker",
                     f"no sweep finished for {age:.0f}s", d)
    if errors:
        return Check("scheduler", "调度程序 scheduler", WARN, f"{len(errors)} 个任务上次运行出错",
                     f"{len(errors)} sweeps ended with an error", d)
    return Check("scheduler", "调度程序 scheduler", OK, f"{age:.0f} 秒前运行过", f"last sweep {age:.0f}s ago", d)


def check_calendar(engine: Engine, settings: Settings, now: datetime, quick: bool) -> Check:
    year = now.astimezone(ZoneInfo(settings.timezone)).year
    with read_session(engine) as s:
        have = set(s.exec(select(CalendarNotice.year).where(
            CalendarNotice.scope == "national", CalendarNotice.active,
            col(CalendarNotice.year).in_((year, year + 1)))).all())
    d = {"year": year, "covered": sorted(have)}
    if year not in have:
        return Check("calendar", "节假日日历 calendar", FAIL,
                     f"{year} 年的节假日安排尚未导入：期限计算不可靠，请用 banli calendar import 导入国务院通知",
                     f"no holiday data for the current year {year}", d)
    if year + 1 not in have:
        return Check("calendar", "节假日日历 calendar", WARN,
                     f"{year + 1} 年的节假日安排尚未导入：跨年期限暂按周末和元旦、劳动节、国庆节的法定日期计算并标为“暂定”；"
                     "国务院通知发布后请用 banli calendar import 导入",
                     f"no holiday data for next year {year + 1}: deadlines crossing it are provisional", d)
    return Check("calendar", "节假日日历 calendar", OK, f"{year}、{year + 1} 年均已覆盖",
                 f"{year} and {year + 1} covered", d)


def check_agencies(engine: Engine, settings: Settings, now: datetime, quick: bool) -> Check:
    """Warns of stored settings the workflow could not use (saved before a rule was checked, or written to the database by
    hand: every write path checks only what it changes), and login names that differ only in case (created before
    names were compared whatever their case; a login must then be typed in exactly its case)."""
    lines: list[str] = []
    items: list[dict[str, Any]] = []
    with read_session(engine) as s:
        agencies = s.exec(select(Agency).order_by(col(Agency.id))).all()
        folded = func.lower(User.username)
        clashing = select(folded).group_by(folded).having(func.count() > 1)
        names = s.exec(select(User.username).where(folded.in_(clashing))).all()  # only those of a clash
    for agency in agencies:
        try:
            problems = settings_problems(agency_config(agency))
        except ValidationError as exc:
            problems = [{"field": str(e["loc"][0]) if e["loc"] else "", "code": "unreadable",
                         "message": "存储的值无法读取"} for e in exc.errors()]
        if problems:
            state = "" if agency.active else "（已停用）"
            lines.append(f"{agency.name}{state}：" + "；".join(
                f"{setting_label(p['field'])}——{p['message']}" for p in problems))
            items.append({"agency": agency.code, "active": agency.active,
                          "fields": [{"field": p["field"], "code": p["code"]} for p in problems]})
    by_case: dict[str, list[str]] = {}
    for name in names:
        by_case.setdefault(name.lower(), []).append(name)
    clashes = sorted(sorted(group) for group in by_case.values() if len(group) > 1)
    d: dict[str, Any] = {"agencies": items[:LISTED], "agencies_with_problems": len(items),
                         "login_names_differing_in_case": clashes[:LISTED]}
    if items:
        return Check("agencies", "机关设置 agencies", WARN,
                     f"{len(items)} 个机关的设置无法使用，请由机关管理员在“机关设置”中更正：" + "。".join(lines[:LISTED]),
                     f"{len(items)} agencies have settings the workflow cannot use", d)
    if clashes:
        listed = "；".join("、".join(group) for group in clashes[:LISTED])
        return Check("agencies", "机关设置 agencies", WARN,
                     f"有 {len(clashes)} 组登录名只有大小写不同（{listed}）：登录时须按原样输入大小写；"
                     "建议停用其中不再使用的账户，为仍在使用的人另建一个不重复的登录名",
                     f"{len(clashes)} groups of login names differ only in case", d)
    return Check("agencies", "机关设置 agencies", OK, f"{len(agencies)} 个机关的设置均可使用",
                 f"settings of {len(agencies)} agencies usable", d)


CHECKS: dict[str, Callable[[Engine, Settings, datetime, bool], Check]] = {
    "schema": check_schema, "database": check_database, "files": check_stored_files,
    "outbox": check_outbox, "scheduler": check_scheduler, "calendar": check_calendar, "agencies": check_agencies,
}
NEEDS_SCHEMA = ("files", "outbox", "scheduler", "calendar", "agencies")


def run_checks(engine: Engine, settings: Settings, now: datetime, *, quick: bool = False,
               only: Sequence[str] | None = None, skip: Sequence[str] = ()) -> HealthReport:
    """Run the named checks (default: all); a check that cannot run is itself a failure, with its reason."""
    names = [n for n in (only or CHECKS) if n not in skip]
    out: list[Check] = []
    dropped: set[str] = set()
    for name in names:
        if name in dropped:
            continue
        try:
            check = CHECKS[name](engine, settings, now, quick)
        except Exception as exc:
            log.warning("health check %s could not run: %s", name, type(exc).__name__)
            check = Check(name, name, FAIL, f"无法检查：{type(exc).__name__}: {str(exc)[:300]}",
                          f"could not run: {type(exc).__name__}", {})
        out.append(check)
        if name == "schema" and check.details.get("current") is None and check.status == FAIL:
            dropped.update(NEEDS_SCHEMA)  # no tables: the rest would only repeat it
    return HealthReport(now.isoformat(timespec="seconds"), out)
