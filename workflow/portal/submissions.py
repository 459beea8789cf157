"""The public portal's use cases: submit online, and the applicant's own actions (withdraw, upload).

An online submission is not yet received in law (条例第三十一条第（三）项: the receipt date is the date
both sides confirm): it waits in state ``submitted`` until a clerk confirms it (``confirm_submission``,
workflow.portal.handlers). No account and no session: the query code is the only key, and only its
hash is stored. The applicant acts through the same workflow (``act``) as a principal that may fire
``states.disclosure.APPLICANT_ACTIONS`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from db.engine import read_session, write_session
from db.models import Agency, Disclosure, StoredFile
from notifications.files import store_file
from settings import Settings
from states.disclosure import DState
from workflow.accounts.principal import applicant
from workflow.agencies.config import agency_config
from workflow.cases.attachments import check_upload
from workflow.cases.audit import append_event
from workflow.cases.engine import ActionResult
from workflow.cases.numbers import next_number
from workflow.disclosure.actions import act
from workflow.disclosure.context import KIND, enqueue_applicant_notice
from workflow.disclosure.payloads import OnlineSubmissionIn
from workflow.disclosure.receipt import hash_query_code, new_query_code
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.portal.challenge import consume
from workflow.portal.handlers import local_iso
from workflow.portal.lookup import find_case
from workflow.timesource import local_date

PORTAL_TYPES = ("application/pdf", "image/jpeg", "image/png")  # what applicants may upload
MAX_FILES = 5  # per submission or upload
MAX_APPLICANT_FILES = 20  # per application, over all uploads
DUPLICATE_WINDOW = timedelta(days=1)
FILES_FIELD = "attachments"
_UPLOAD_CATEGORY: dict[str, str] = {DState.AWAITING_CORRECTION: "correction", DState.SUBMITTED: "application"}


@dataclass(frozen=True)
class Submitted:
    id: int
    submission_no: str
    query_code: str  # shown once and emailed; only its hash is stored
    duplicate: bool


@dataclass(frozen=True)
class Uploaded:
    """What an applicant's upload stored (``applicant_upload``)."""

    category: str  # correction (补正, awaiting correction) | application (补充, an unconfirmed submission)
    files: list[dict[str, Any]]  # as stored: file_id, filename, size, content_type, sha256
    note: str

    @property
    def message(self) -> str:
        """What the applicant is told (the look-up page and the API)."""
        if self.category == "correction":
            return "补正材料已提交。工作人员确认收到之日为收到补正申请之日，答复期限自该日起重新计算。"
        return "补充材料已提交，工作人员确认受理后将以电子邮件发送接收回执。"


NOT_WITHDRAWABLE = "本申请当前不能撤回（已答复或已终止办理）"


def withdrawn_message(done: ActionResult) -> str:
    """What the applicant is told once withdrawn (the look-up page and the API). The closure notice goes by email
    only when the applicant gave an address, otherwise it is posted (an unconfirmed online submission always has
    one)."""
    told = ("本机关将通过电子邮件向您发送确认通知。" if done.result.get("notice_channel", "email") == "email"
            else "本机关将书面告知您。")
    return "已撤回申请。" + told


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    content_type: str


def check_files(files: list[tuple[str, bytes]], settings: Settings) -> list[Upload]:
    """Type by content (PDF, JPG, PNG only), size limit, at most MAX_FILES; problems name the file."""
    if len(files) > MAX_FILES:
        raise DomainValidation.one(FILES_FIELD, "too_many_files", f"一次最多上传{MAX_FILES}个文件")
    portal = settings.model_copy(update={"allowed_upload_types": list(PORTAL_TYPES)})
    out, problems = [], []
    for name, data in files:
        try:
            out.append(Upload(name.strip(), data, check_upload(data, name, portal)))
        except DomainValidation as exc:
            problems += [{**f, "field": FILES_FIELD, "message": f"{name}：{f['message']}"} for f in exc.fields]
    if problems:
        raise DomainValidation(problems)
    return out


def agency_by_code(session: Session, code: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.code == code)).first()


def duplicates(session: Session, agency_id: int, applicant_key: str, description: str, now: datetime) -> list[int]:
    """Applications by the same applicant with the same description in the last day (not discarded)."""
    return [i for i in session.exec(select(col(Disclosure.id)).where(
        Disclosure.agency_id == agency_id, Disclosure.applicant_key == applicant_key,
        Disclosure.description == description, col(Disclosure.created_at) >= now - DUPLICATE_WINDOW,
        Disclosure.state != DState.DISCARDED).order_by(col(Disclosure.id))).all() if i is not None]


def _store(session: Session, row: Disclosure, uploads: list[Upload], category: str, now: datetime,
           settings: Settings) -> list[dict[str, Any]]:
    stored = [store_file(session, u.data, agency_id=row.agency_id, filename=u.name, content_type=u.content_type,
                         category=category, now=now, case_kind=KIND, case_id=row.id, root=settings.files_path)
              for u in uploads]
    session.flush()
    return [{"file_id": f.id, "filename": f.filename, "size": f.size, "content_type": f.content_type,
             "sha256": f.sha256} for f in stored]


def submit_online(engine: Engine, data: OnlineSubmissionIn, files: list[tuple[str, bytes]], *, agency_code: str,
                  ip: str, now: datetime, settings: Settings, challenge_nonce: str | None = None) -> Submitted:
    """One transaction: the submission (numbered, code hashed), its attachments, the event and the email.

    ``challenge_nonce`` (from workflow.portal.challenge.check) is spent in the same transaction, so a solved
    challenge allows exactly one submission. Duplicates are flagged for the clerk, never merged.
    """
    uploads = check_files(files, settings)
    with write_session(engine) as s:
        agency = agency_by_code(s, agency_code)
        if agency is None or agency.id is None or not agency.active:  # a deactivated agency takes no new cases
            raise NotFound("机关")
        if challenge_nonce is not None:
            consume(s, challenge_nonce, now)
        cfg = agency_config(agency)
        year = local_date(now, cfg.timezone).year
        submission_no = cfg.submission_format.format(year=year, seq=next_number(s, agency.id, "submission", year))
        code = new_query_code()
        key = f"{data.id_type}:{data.id_number}"
        dup = duplicates(s, agency.id, key, data.description, now)
        row = Disclosure(**data.model_dump(), agency_id=agency.id, state=DState.SUBMITTED.value,
                         submission_no=submission_no, query_code_hash=hash_query_code(code), applicant_key=key,
                         channel="internet", received_at_raw=now, duplicate_flag=bool(dup), created_at=now,
                         updated_at=now)
        s.add(row)
        s.flush()
        assert row.id is not None
        stored = _store(s, row, uploads, "application", now, settings)
        append_event(s, agency_id=agency.id, case_kind=KIND, case_id=row.id, actor=applicant(agency.id),
                     action="submit_online", from_state=None, to_state=DState.SUBMITTED, now=now,
                     payload={"submission_no": submission_no, "ip": ip, "files": stored, "duplicate_of": dup})
        enqueue_applicant_notice(s, agency=agency, cfg=cfg, row=row, notice_type="disclosure.submission_ack",
                                 now=now, action_key="submit",
                                 notice={"submission_no": submission_no, "query_code": code,
                                         "submitted_at": local_iso(now, cfg.timezone)})
        s.commit()
        return Submitted(row.id, submission_no, code, bool(dup))


def _authenticated(engine: Engine, number: str, code: str, agency_id: int | None) -> Disclosure:
    with read_session(engine) as s:
        row = find_case(s, number, code, agency_id)
    if row is None:
        raise NotFound("申请")
    return row


def applicant_withdraw(engine: Engine, number: str, code: str, *, reason: str, now: datetime,
                       agency_id: int | None = None) -> ActionResult:
    """The applicant withdraws: an unconfirmed submission is discarded; a registered application is
    closed as withdrawn (table 三（六）3) through ``withdraw``. After the reply: InvalidTransition."""
    row = _authenticated(engine, number, code, agency_id)
    assert row.id is not None
    action = "discard_submission" if row.state == DState.SUBMITTED else "withdraw"
    return act(engine, row.id, action, {"reason": reason[:500]}, applicant(row.agency_id), now)


def applicant_upload(engine: Engine, number: str, code: str, files: list[tuple[str, bytes]], note: str, *,
                     now: datetime, settings: Settings, agency_id: int | None = None) -> Uploaded:
    """The applicant sends a correction (state awaiting_correction) or completes an unconfirmed submission.

    The case stays in its state: a correction counts as received on the day a clerk records it
    (``receive_correction``, from the queue of online corrections). Returns what was stored.
    """
    note = note.strip()
    if len(note) > 2000:
        raise DomainValidation.one("note", "too_long", "说明不超过2000字")
    uploads = check_files(files, settings)
    if not uploads and not note:
        raise DomainValidation.one(FILES_FIELD, "nothing_uploaded", "请上传材料或填写说明")
    with write_session(engine) as s:
        row = find_case(s, number, code, agency_id, for_update=True)
        if row is None or row.id is None:
            raise NotFound("申请")
        category = _UPLOAD_CATEGORY.get(row.state)
        if category is None:
            raise InvalidTransition("本申请当前不需要上传材料", [], "illegal_action")
        sent = s.exec(select(func.count()).select_from(StoredFile).where(
            StoredFile.case_kind == KIND, StoredFile.case_id == row.id, col(StoredFile.created_by).is_(None),
            col(StoredFile.category).in_(("application", "correction")))).one()
        if int(sent) + len(uploads) > MAX_APPLICANT_FILES:
            raise DomainValidation.one(FILES_FIELD, "too_many_files", f"每件申请最多上传{MAX_APPLICANT_FILES}个文件")
        stored = _store(s, row, uploads, category, now, settings)
        append_event(s, agency_id=row.agency_id, case_kind=KIND, case_id=row.id, actor=applicant(row.agency_id),
                     action="applicant_upload", from_state=row.state, to_state=row.state, now=now,
                     payload={"category": category, "files": stored, "note": note})
        s.commit()
        return Uploaded(category, stored, note)
