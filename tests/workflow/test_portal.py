"""Online submissions through the workflow on real databases: submit, duplicates, confirm (receipt date =
confirmation date), completion requests, discard, the applicant's withdrawal in both states, uploads,
the applicant principal's limits, agency isolation and the challenge."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, Clock, Disclosure, Event, Outbox, StoredFile
from states.disclosure import DState
from tests.helpers import make_staff, registration, resident_id
from workflow.accounts.principal import applicant
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import OnlineSubmissionIn
from workflow.errors import DomainValidation, InvalidTransition, NotFound
from workflow.portal import challenge
from workflow.portal.lookup import lookup
from workflow.portal.submissions import applicant_upload, applicant_withdraw, submit_online
from workflow.timesource import local_dt

PDF = b"%PDF-1.4\n% test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FRIDAY_NIGHT = local_dt(2026, 3, 6, 21, 30)  # submitted on a Friday evening
MONDAY = local_dt(2026, 3, 9, 10)


def online(**over: Any) -> OnlineSubmissionIn:
    data = registration(**over)
    for key in ("channel", "received_at"):
        data.pop(key, None)
    return OnlineSubmissionIn.model_validate(data)


def submit(db: Any, now: Any = FRIDAY_NIGHT, files: list[tuple[str, bytes]] | None = None, code: str = "default",
           **over: Any) -> Any:
    return submit_online(db.engine, online(**over), files or [], agency_code=code, ip="203.0.113.7", now=now,
                         settings=db.settings)


def row(db: Any, case_id: int) -> Disclosure:
    with read_session(db.engine) as s:
        r = s.get(Disclosure, case_id)
        assert r is not None
        return r


def outbox(db: Any, case_id: int) -> list[Outbox]:
    with read_session(db.engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.case_id == case_id).order_by(col(Outbox.id))).all())


def test_submit_then_confirm_the_confirmation_date_is_the_receipt_date(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    sub = submit(db, files=[("身份证.png", PNG), ("说明.pdf", PDF)])
    r = row(db, sub.id)
    assert r.state == DState.SUBMITTED and r.channel == "internet" and r.receipt_date is None and r.tracking_no is None
    assert r.submission_no == sub.submission_no == "网申2026000001"
    assert r.received_at_raw == FRIDAY_NIGHT and sub.query_code not in r.query_code_hash
    with read_session(db.engine) as s:
        files = s.exec(select(StoredFile).where(StoredFile.case_id == sub.id)).all()
        assert sorted(f.content_type for f in files) == ["application/pdf", "image/png"]
        assert all(f.category == "application" and not f.for_applicant for f in files)
        ev = s.exec(select(Event).where(Event.case_id == sub.id)).one()
        assert ev.action == "submit_online" and ev.actor_label == "申请人（网上）" and ev.payload["ip"] == "203.0.113.7"
    ack = outbox(db, sub.id)
    assert [o.notice_type for o in ack] == ["disclosure.submission_ack"]
    assert ack[0].recipient == "zhangsan@example.com" and ack[0].context["notice"]["query_code"] == sub.query_code

    res = wf.act(db.engine, sub.id, "confirm_submission", {"note": "已核对"}, staff.front, MONDAY)
    r = row(db, sub.id)
    assert res.state == DState.REGISTERED and r.tracking_no == "依申〔2026〕0001号"
    assert r.receipt_date.isoformat() == "2026-03-09" == res.result["receipt_date"]  # not the Friday submission
    assert r.confirmed_at == MONDAY and r.registered_by == staff.front.id
    assert res.result["reply_due"] == "2026-04-07"  # 20 working days (条例第三十三条), Qingming 4–6 April skipped
    with read_session(db.engine) as s:
        reply = s.exec(select(Clock).where(Clock.case_id == sub.id, Clock.kind == "reply")).one()
        assert reply.start_date.isoformat() == "2026-03-09" and reply.due_date.isoformat() == "2026-04-07"
        ev = s.exec(select(Event).where(Event.case_id == sub.id, Event.action == "confirm_submission")).one()
        assert ev.payload["receipt_date"] == "2026-03-09"  # what the annual report's cross-check reads
    receipt = outbox(db, sub.id)[-1]
    assert receipt.notice_type == "disclosure.online_receipt"
    assert receipt.context["notice"] == {"due_date": "2026-04-07", "provisional": False,
                                         "confirmed_date": "2026-03-09"}
    assert receipt.context["case"]["tracking_no"] == "依申〔2026〕0001号"


def test_confirming_on_a_rest_day_rolls_the_receipt_date_forward(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    sub = submit(sqlite_db)
    res = wf.act(sqlite_db.engine, sub.id, "confirm_submission", {}, staff.front, local_dt(2026, 3, 7, 10))
    assert res.result["receipt_date"] == "2026-03-09"
    assert outbox(sqlite_db, sub.id)[-1].context["notice"]["confirmed_date"] == "2026-03-07"


def test_same_applicant_same_description_within_a_day_is_flagged_never_merged(sqlite_db) -> None:
    first = submit(sqlite_db)
    second = submit(sqlite_db, now=FRIDAY_NIGHT + timedelta(hours=5))
    other_text = submit(sqlite_db, now=FRIDAY_NIGHT + timedelta(hours=6), description="另一份文件")
    other_person = submit(sqlite_db, now=FRIDAY_NIGHT + timedelta(hours=6), id_number=resident_id("11010519800101003"))
    next_day = submit(sqlite_db, now=FRIDAY_NIGHT + timedelta(days=1, hours=6))
    assert not first.duplicate and second.duplicate
    assert not other_text.duplicate and not other_person.duplicate and not next_day.duplicate
    assert len({first.id, second.id}) == 2 and row(sqlite_db, second.id).duplicate_flag
    with read_session(sqlite_db.engine) as s:
        ev = s.exec(select(Event).where(Event.case_id == second.id)).one()
        assert ev.payload["duplicate_of"] == [first.id]


def test_request_completion_keeps_the_submission_and_emails_the_message(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    sub = submit(sqlite_db)
    with pytest.raises(ValidationError):  # the clerk must say what to complete
        wf.act(sqlite_db.engine, sub.id, "request_completion", {"message": ""}, staff.front, MONDAY)
    res = wf.act(sqlite_db.engine, sub.id, "request_completion", {"message": "请上传身份证件扫描件"}, staff.front, MONDAY)
    assert res.state == DState.SUBMITTED and row(sqlite_db, sub.id).receipt_date is None
    note = outbox(sqlite_db, sub.id)[-1]
    assert note.notice_type == "disclosure.completion_request" and note.context["notice"]["message"] == "请上传身份证件扫描件"
    applicant_upload(sqlite_db.engine, sub.submission_no, sub.query_code, [("身份证.png", PNG)], "已补充", now=MONDAY,
                     settings=sqlite_db.settings)
    with read_session(sqlite_db.engine) as s:
        view = lookup(s, sub.submission_no, sub.query_code)
    assert view is not None and view["completion_message"] == "请上传身份证件扫描件"
    assert view["uploads"][0]["files"] == ["身份证.png"] and view["upload"] == "supplement"


def test_discard_by_the_clerk_is_never_received(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    sub = submit(sqlite_db)
    res = wf.act(sqlite_db.engine, sub.id, "discard_submission", {"reason": "重复提交"}, staff.front, MONDAY)
    r = row(sqlite_db, sub.id)
    assert res.state == DState.DISCARDED and r.receipt_date is None and r.tracking_no is None and r.withdrawn_at is None
    note = outbox(sqlite_db, sub.id)[-1]
    assert note.notice_type == "disclosure.submission_closed"
    assert note.context["notice"]["reason"] == "重复提交" and note.context["notice"]["by_applicant"] is False


def test_applicant_withdraws_an_unconfirmed_submission(sqlite_db) -> None:
    sub = submit(sqlite_db)
    res = applicant_withdraw(sqlite_db.engine, sub.submission_no, sub.query_code, reason="不需要了", now=MONDAY)
    r = row(sqlite_db, sub.id)
    assert res.state == DState.DISCARDED and r.withdrawn_at == MONDAY and r.report_row is None
    assert outbox(sqlite_db, sub.id)[-1].context["notice"]["by_applicant"] is True
    with read_session(sqlite_db.engine) as s:
        view = lookup(s, sub.submission_no, sub.query_code)
    assert view is not None and view["state_text"].startswith("您已撤回") and not view["can_withdraw"]


def test_applicant_withdraws_a_registered_application_as_other_3(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    sub = submit(sqlite_db)
    wf.act(sqlite_db.engine, sub.id, "confirm_submission", {}, staff.front, MONDAY)
    wf.act(sqlite_db.engine, sub.id, "assign", {"assignee_id": staff.officer.id}, staff.front, MONDAY)
    later = MONDAY + timedelta(days=2)
    res = applicant_withdraw(sqlite_db.engine, "依申〔2026〕0001号", sub.query_code, reason="", now=later)
    r = row(sqlite_db, sub.id)
    assert res.state == DState.CLOSED and r.decision == "other.withdrawn" and r.report_row == "3.6.3"
    assert r.concluded_date.isoformat() == "2026-03-11"
    assert outbox(sqlite_db, sub.id)[-1].notice_type == "disclosure.closure_notice"
    with pytest.raises(InvalidTransition):  # nothing left to withdraw
        applicant_withdraw(sqlite_db.engine, sub.submission_no, sub.query_code, reason="", now=later)


def test_no_withdrawal_after_the_reply_and_no_withdrawal_with_a_wrong_code(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    sub = submit(sqlite_db)
    wf.act(sqlite_db.engine, sub.id, "confirm_submission", {}, staff.front, MONDAY)
    wf.act(sqlite_db.engine, sub.id, "assign", {"assignee_id": staff.officer.id}, staff.front, MONDAY)
    with pytest.raises(NotFound):
        applicant_withdraw(sqlite_db.engine, sub.submission_no, "WRONGCODE9", reason="", now=MONDAY)
    wf.act(sqlite_db.engine, sub.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, MONDAY)
    with pytest.raises(InvalidTransition):
        applicant_withdraw(sqlite_db.engine, sub.submission_no, sub.query_code, reason="", now=MONDAY)
    assert row(sqlite_db, sub.id).state == DState.REPLIED


def test_the_applicant_principal_may_fire_only_its_own_actions(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    sub = submit(sqlite_db)
    who = applicant(staff.agency_id)
    for action, payload in (("confirm_submission", {}), ("request_completion", {"message": "x"})):
        with pytest.raises(InvalidTransition) as e:
            wf.act(sqlite_db.engine, sub.id, action, payload, who, MONDAY)
        assert e.value.code == "forbidden" and e.value.allowed == ["discard_submission"]
    wf.act(sqlite_db.engine, sub.id, "confirm_submission", {}, staff.front, MONDAY)
    wf.act(sqlite_db.engine, sub.id, "assign", {"assignee_id": staff.officer.id}, staff.front, MONDAY)
    wf.act(sqlite_db.engine, sub.id, "request_correction", {"items": ["请写明年度"]}, staff.officer, MONDAY)
    with pytest.raises(InvalidTransition):  # the system may let a correction lapse; the applicant may not
        wf.act(sqlite_db.engine, sub.id, "lapse_correction", {}, who, MONDAY + timedelta(days=60))


def test_correction_upload_waits_for_the_clerk_who_records_it_today(sqlite_db, clock) -> None:
    staff = make_staff(sqlite_db.engine, clock.now())
    sub = submit(sqlite_db)
    with pytest.raises(DomainValidation):  # nothing to send
        applicant_upload(sqlite_db.engine, sub.submission_no, sub.query_code, [], " ", now=MONDAY,
                         settings=sqlite_db.settings)
    wf.act(sqlite_db.engine, sub.id, "confirm_submission", {}, staff.front, MONDAY)
    with pytest.raises(InvalidTransition):  # registered: nothing asked of the applicant
        applicant_upload(sqlite_db.engine, sub.submission_no, sub.query_code, [("a.pdf", PDF)], "", now=MONDAY,
                         settings=sqlite_db.settings)
    wf.act(sqlite_db.engine, sub.id, "assign", {"assignee_id": staff.officer.id}, staff.front, MONDAY)
    wf.act(sqlite_db.engine, sub.id, "request_correction", {"items": ["请写明年度"]}, staff.officer, MONDAY)
    uploaded_at = local_dt(2026, 3, 12, 22)
    sent = applicant_upload(sqlite_db.engine, sub.submission_no, sub.query_code, [("补正.pdf", PDF)], "年度为2025年",
                            now=uploaded_at, settings=sqlite_db.settings)
    assert sent.category == "correction" and row(sqlite_db, sub.id).state == DState.AWAITING_CORRECTION
    assert [(f["filename"], f["size"]) for f in sent.files] == [("补正.pdf", len(PDF))] and sent.note == "年度为2025年"
    with read_session(sqlite_db.engine) as s:
        f = s.exec(select(StoredFile).where(StoredFile.case_id == sub.id, StoredFile.category == "correction")).one()
        assert f.created_by is None and not f.for_applicant
        from workflow.portal.queue import pending_corrections

        queue = pending_corrections(s, staff.agency_id)
        assert [c.row.id for c in queue] == [sub.id] and queue[0].uploads[0].text == "年度为2025年"
    recorded = local_dt(2026, 3, 16, 9)
    wf.act(sqlite_db.engine, sub.id, "receive_correction", {"received_date": "2026-03-16"}, staff.front, recorded)
    r = row(sqlite_db, sub.id)
    assert r.state == DState.HANDLING and r.base_date.isoformat() == "2026-03-16"  # the clerk's day, not the upload's


def test_uploads_are_typed_by_content_and_size_limited(sqlite_db) -> None:
    sub = submit(sqlite_db)
    small = sqlite_db.settings.model_copy(update={"max_upload_bytes": 1024})
    cases = [([("申请.pdf", b"<html><script>alert(1)</script></html>")], "file_type_not_allowed"),
             ([("a.docx", b"PK\x03\x04" + b"\x00" * 20)], "file_type_not_allowed"),  # not a PDF/JPG/PNG
             ([("big.pdf", PDF + b"0" * 2000)], "file_too_large"),
             ([(f"{i}.pdf", PDF) for i in range(6)], "too_many_files")]
    for files, code in cases:
        with pytest.raises(DomainValidation) as e:
            applicant_upload(sqlite_db.engine, sub.submission_no, sub.query_code, files, "", now=MONDAY, settings=small)
        assert e.value.fields[0]["code"] == code and e.value.fields[0]["field"] == "attachments"
        with pytest.raises(DomainValidation):
            submit_online(sqlite_db.engine, online(), files, agency_code="default", ip="x", now=MONDAY, settings=small)
    with read_session(sqlite_db.engine) as s:
        assert s.exec(select(StoredFile)).all() == []
        assert len(s.exec(select(Disclosure)).all()) == 1


def test_numbers_are_per_agency_and_lookups_stay_in_their_agency(sqlite_db, clock) -> None:
    with write_session(sqlite_db.engine) as s:
        s.add(Agency(code="other", name="某县另一局", settings={}, created_at=clock.now()))
        s.commit()
    mine, theirs = submit(sqlite_db), submit(sqlite_db, code="other")
    assert mine.submission_no == theirs.submission_no == "网申2026000001"
    with read_session(sqlite_db.engine) as s:
        other_id = s.exec(select(Agency.id).where(Agency.code == "other")).one()
        assert lookup(s, mine.submission_no, mine.query_code)["agency_code"] == "default"
        assert lookup(s, theirs.submission_no, theirs.query_code)["agency_code"] == "other"
        assert lookup(s, mine.submission_no, mine.query_code, other_id) is None
    with pytest.raises(NotFound):
        submit(sqlite_db, code="nope")
    with write_session(sqlite_db.engine) as s:
        gone = s.exec(select(Agency).where(Agency.code == "other")).one()
        gone.active = False  # deactivated: takes no new cases
        s.add(gone)
        s.commit()
    with pytest.raises(NotFound):
        submit(sqlite_db, code="other")


def test_online_submissions_need_an_email(sqlite_db) -> None:
    with pytest.raises(ValidationError) as e:
        online(email="")
    assert e.value.errors()[0]["type"] == "email_required"
    with pytest.raises(ValidationError) as e:
        online(obtain_way="post", address="")
    assert e.value.errors()[0]["type"] == "address_required"


def test_challenge_is_signed_time_limited_and_single_use(sqlite_db) -> None:
    secret = "s" * 32
    now = MONDAY
    ch = challenge.issue(secret, now)
    answer = _solve(ch.question)
    nonce = challenge.check(secret, ch.token, str(answer), now)
    for token, given, at, code in ((ch.token, str(answer + 1), now, "challenge_wrong"),
                                   (ch.token, "", now, "challenge_missing"),
                                   (ch.token, str(answer), now + challenge.TTL + timedelta(seconds=1), "challenge_expired"),
                                   (ch.token.replace(ch.token[0], "f" if ch.token[0] != "f" else "e", 1), str(answer),
                                    now, "challenge_invalid"),
                                   (ch.token, str(answer), now, None)):
        if code is None:
            assert challenge.check(secret, token, given, at) == nonce
            continue
        with pytest.raises(DomainValidation) as e:
            challenge.check(secret, token, given, at)
        assert e.value.fields[0]["code"] == code
    with pytest.raises(DomainValidation):
        challenge.check("another-secret" * 3, ch.token, str(answer), now)
    # Full-width digits typed with a Chinese input method count.
    fw = str(answer).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert challenge.check(secret, ch.token, fw, now) == nonce
    sub = submit_online(sqlite_db.engine, online(), [], agency_code="default", ip="x", now=now,
                        settings=sqlite_db.settings, challenge_nonce=nonce)
    assert sub.id
    with pytest.raises(DomainValidation) as e:  # the same solved challenge cannot submit twice
        submit_online(sqlite_db.engine, online(description="别的"), [], agency_code="default", ip="x", now=now,
                      settings=sqlite_db.settings, challenge_nonce=nonce)
    assert e.value.fields[0]["code"] == "challenge_used"
    with read_session(sqlite_db.engine) as s:
        assert len(s.exec(select(Disclosure)).all()) == 1


def _solve(question: str) -> int:
    from tests.web.portal_helpers import solve

    return solve(question)
