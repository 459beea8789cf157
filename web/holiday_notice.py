"""A holiday notice as an administrator hands it in, read alike by its page (``/admin/calendar``) and the API
(``/api/calendar/preview``, ``/api/calendar/import``):

- the template to fill in (``TEMPLATE``: the file format's keys with Chinese comments);
- the notice from an uploaded file (``file``: one file, a name that is text — web.uploads, at most
  ``MAX_NOTICE_BYTES``) or else pasted text (``text``, with the ``filename`` a preview carried over);
- parsed (states.calendar_notice: every problem with its line) and checked against the agency's calendar scopes —
  each problem a ``Problem`` at the field it came in (``file``, ``text``, ``filename``), with its line in the notice
  where there is one, all raised at once as ``NoticeRefused`` (nothing is stored);
- imported through ``workflow.calendar.service.import_notice`` (the calendar version bumped: the recompute sweep
  moves the open deadlines), with the number of deadlines the preview said would move (``import_previewed``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from starlette.datastructures import UploadFile

from states.calendar_notice import NoticeData, NoticeError, parse_notice
from states.policy import Actor, may_manage_agencies
from web.uploads import sent_filename
from workflow.agencies.config import AgencySettings, calendar_scopes
from workflow.calendar.preview import other_agencies_using, preview_import
from workflow.calendar.service import NATIONAL, ImportResult, import_notice
from workflow.cases.attachments import check_filename
from workflow.errors import DomainValidation, Forbidden
from workflow.runtime import Engine

MAX_NOTICE_BYTES = 256 * 1024
DEFAULT_FILENAME = "notice.yaml"
TOO_LARGE = "文件过大（不超过256KB）"
NOTHING_SENT = "请上传文件或粘贴节假日安排"
UNREADABLE = "文件无法读取"
TEMPLATE_MEDIA = "text/yaml; charset=utf-8"
TEMPLATE_DISPOSITION = ("attachment; filename*=UTF-8''"
                        "%E8%8A%82%E5%81%87%E6%97%A5%E5%AE%89%E6%8E%92%E6%A8%A1%E6%9D%BF.yaml")  # 节假日安排模板.yaml

# The import template an administrator downloads and fills in (the keys are the file format; the comments say
# in Chinese what goes where).
TEMPLATE = """# 节假日安排导入模板：按国务院办公厅（或本地政府）的年度节假日安排通知填写，保存为 UTF-8 编码的 .yaml 文件后上传。
# 冒号左边的英文键名是文件格式的一部分，请保留原样；只修改冒号右边的内容。
year: 2027                         # 年度
document: 国办发明电〔2026〕N号      # 通知文号或名称
scope: national                    # 范围：全国填 national；本地节假日填机关设置中的地方节假日范围代码
holidays:                          # 放假：名称、起止日期（含首尾两日）
  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
workdays: [2027-01-04]             # 调休上班的周末日期（没有则写 []）
"""
SCOPE_SHARED = "scope_shared"  # the Forbidden code: refused for who imports it, not for what it says
_SCOPE_LINE = re.compile(r"""\s*["']?scope["']?\s*:""")


@dataclass(frozen=True)
class Problem:
    """Why a notice was refused, at the field it came in (``""``: the request as a whole)."""

    field: str
    code: str
    message: str  # Chinese; a problem inside the notice starts with its line (第 3 行：…)
    line: int | None = None


class NoticeRefused(Exception):
    """The notice cannot be previewed or imported: every problem found, and the text as read (shown again)."""

    def __init__(self, problems: list[Problem], text: str = "") -> None:
        super().__init__("；".join(p.message for p in problems))
        self.problems = problems
        self.text = text

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


@dataclass(frozen=True)
class Notice:
    text: str
    filename: str  # names the import in the calendar's history (``import:<filename>``)
    field: str  # where it came: ``file`` or ``text``


def _named(name: str, field: str) -> None:
    try:
        check_filename(name, field)
    except DomainValidation as exc:
        raise NoticeRefused([Problem(f["field"], f["code"], f["message"]) for f in exc.fields]) from exc


async def notice_sent(upload: UploadFile | None, text: str, filename: str | None) -> Notice:
    """The notice from the uploaded file if one was sent, else the pasted ``text`` (``notice_pasted``);
    NoticeRefused when the file's name is not text or the file is too large."""
    if upload is None or not upload.filename:
        return notice_pasted(text, filename)
    name = sent_filename(upload)
    _named(name, "file")
    raw = await upload.read(MAX_NOTICE_BYTES + 1)
    if len(raw) > MAX_NOTICE_BYTES:
        raise NoticeRefused([Problem("file", "too_large", TOO_LARGE)])
    return Notice(raw.decode("utf-8-sig", errors="replace"), name, "file")


def notice_pasted(text: str, filename: str | None) -> Notice:
    """The pasted ``text``, named ``filename`` (as the preview carried it over; else ``notice.yaml``);
    NoticeRefused when the name is not text or nothing was sent."""
    name = filename or DEFAULT_FILENAME
    _named(name, "filename")
    if not text.strip():
        raise NoticeRefused([Problem("", "missing", NOTHING_SENT)])
    return Notice(text, name, "text")


def _at(line: int | None, message: str) -> str:
    return f"第 {line} 行：{message}" if line else message


def checked_notice(notice: Notice, agency: AgencySettings) -> NoticeData:
    """The notice parsed, for a scope the agency uses (national, its own code, or a regional scope of its settings);
    NoticeRefused with every problem, each at its line where it has one."""
    try:
        data = parse_notice(notice.text, notice.filename)
    except NoticeError as exc:
        problems = [Problem(notice.field, "invalid_notice", _at(p.line, p.message_zh), p.line) for p in exc.problems]
        raise NoticeRefused(problems or [Problem(notice.field, "invalid_notice", UNREADABLE)], notice.text) from exc
    scopes = calendar_scopes(agency)
    if data.scope not in scopes:
        line = _scope_line(notice.text)
        message = f"本机关使用的日历范围为 {'、'.join(scopes)}，不能导入范围为 {data.scope} 的安排"
        raise NoticeRefused([Problem(notice.field, "scope_not_used", _at(line, message), line)], notice.text)
    return data


def authorized_notice(engine: Engine, notice: Notice, agency: AgencySettings, actor: Actor) -> NoticeData:
    """``checked_notice``, and then whether ``actor`` may import it (Forbidden ``scope_shared`` if not): a notice whose scope other agencies use too (the
    national arrangements on an instance serving several agencies, a regional scope several share) moves their
    deadlines, so only the platform administrator (or the command line) imports it; an agency's administrator
    imports its own arrangements — and the national ones where it is the only agency."""
    data = checked_notice(notice, agency)
    if may_manage_agencies(actor):
        return data
    others = other_agencies_using(engine, data.scope, agency.code)
    if others:
        line = _scope_line(notice.text)
        what = "全国" if data.scope == NATIONAL else f"范围为 {data.scope} "
        message = (f"{what}的节假日安排还适用于本平台的其他 {others} 个机关，导入会改变它们的期限，"
                   "须由平台管理员导入")
        raise Forbidden(_at(line, message), SCOPE_SHARED)
    return data


def _scope_line(text: str) -> int | None:
    return next((i for i, line in enumerate(text.splitlines(), 1) if _SCOPE_LINE.match(line)), None)


@dataclass(frozen=True)
class Imported:
    result: ImportResult
    moving: int  # open deadlines the preview said would move: the import's recompute moves exactly these


def import_previewed(engine: Engine, data: NoticeData, filename: str, *, actor_label: str,
                     now: datetime) -> Imported:
    """Import the notice (one transaction; the recompute sweep then moves the open deadlines, each move written
    in its case's record), counting first the deadlines that will move — the figure the preview showed."""
    moving = len(preview_import(engine, data).moved)
    res = import_notice(engine, data, actor_label=actor_label, now=now, source=f"import:{filename}"[:100])
    return Imported(res, moving)


def imported_message(data: NoticeData, imported: Imported) -> str:
    """What the import did, in Chinese (the page's message after the import, the API's ``message``)."""
    res = imported.result
    return (f"已导入 {data.year} 年 {data.document}（放假 {res.holidays} 天、调休上班 {res.workdays} 天）；"
            f"{imported.moving} 个未结期限的到期日将变动（与预览一致），后台正按新日历重新核对全部 {res.stale_clocks} 个未结期限，"
            "变动的期限在案件的办理记录中写明原到期日和新到期日")
