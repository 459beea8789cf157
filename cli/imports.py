"""What the import commands share: the agency named on the command line, the person the import runs as, and the
report printed at the end (with the exit code: 1 when a row had a problem)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from cli.main import CliError
from db.engine import read_session
from db.models import Agency, User
from states.roles import Role
from workflow.accounts.principal import Principal
from workflow.accounts.roles import holders, roles_of
from workflow.agencies.registry import by_code, first_agency
from workflow.errors import NotFound
from workflow.hotline.batch import write_report

SHOWN_ERRORS = 20


def agency_by_code(engine: Any, code: str | None, default_code: str) -> Agency:
    """The agency named by ``--agency`` (default: the configured default agency, else the first one)."""
    with read_session(engine) as s:
        try:
            if code is not None:
                return by_code(s, code)
            try:
                return by_code(s, default_code)
            except NotFound:
                return first_agency(s)
        except NotFound as exc:
            raise CliError(f"机关代码不存在：{code or default_code}") from exc


def user_principal(engine: Any, agency_id: int, username: str | None) -> Principal:
    """Who runs an import: the user named, else the agency's first active leader or administrator."""
    with read_session(engine) as s:
        user = _user(s, agency_id, username)
        assert user.id is not None
        return Principal(user.id, user.agency_id, roles_of(s, user.id, user.agency_id), user.display_name)


def _user(s: Session, agency_id: int, username: str | None) -> User:
    if username:
        user = s.exec(select(User).where(User.agency_id == agency_id, col(User.active).is_(True),
                                         User.username == username)).first()
        if user is None:
            raise CliError(f"本机关没有用户 {username}")
        return user
    first = holders(s, agency_id, Role.LEADER, Role.ADMIN)
    if first:
        return first[0]
    raise CliError("本机关没有负责人或管理员账户：请用 --user 指定执行导入的用户")


def print_report(report: Any, report_path: str | None) -> int:
    """Print an import's summary and first problems; write every problem to ``report_path`` if given."""
    print(report.summary_zh())
    for e in report.errors[:SHOWN_ERRORS]:
        print(f"  第{e.row}行 {e.column or '—'}：{e.problem_zh}")
    if len(report.errors) > SHOWN_ERRORS:
        print(f"  …… 另有 {len(report.errors) - SHOWN_ERRORS} 个问题" + ("，见报告文件" if report_path else
                                                                        "（用 --report 文件名 保存全部问题）"))
    if report_path:
        out = write_report(report, report_path)
        print(f"问题报告已写入：{out}（{len(report.errors)} 条）")
    return 0 if not report.errors else 1
