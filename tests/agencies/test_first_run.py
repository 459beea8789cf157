"""The first run (issue 16): a fresh install's agency keeps placeholders (某县某局, no contacts, no remedy bodies);
registration is never refused for it, but no document carrying a placeholder leaves the system — it waits
(``held``) and goes out, rebuilt with the real name, seal text and remedy bodies, once the settings are filled in,
through the setup (workflow or ``banli setup FILE.yaml``)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, CalendarDay, CalendarNotice, Disclosure, Outbox, StoredFile
from notifications.files import file_path
from notifications.outbox import deliver_due
from tests.conftest import Db, unconfigure_agency
from tests.helpers import make_staff, registration
from tests.ops.cli_helpers import run_cli
from workflow.accounts.principal import system
from workflow.agencies.held import held_count
from workflow.agencies.setup import SetupIn, apply_setup, setup_needed
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.errors import DomainValidation
from workflow.timesource import FixedTime, local_dt

PLACEHOLDERS = ("某县某局", "某县人民政府", "有管辖权的人民法院", "未设置")
REAL = SetupIn(name="青山县自然资源局", seal_text="青山县自然资源局政务公开专用章", address="青山县人民路1号",
               postal_code="675000", phone="0878-3120000", reconsideration_organ="青山县人民政府",
               litigation_court="青山县人民法院")


def _pdf_texts(db: Db, case_id: int) -> dict[str, str]:
    with read_session(db.engine) as s:
        files = s.exec(select(StoredFile).where(StoredFile.case_id == case_id, StoredFile.category == "notice",
                                                col(StoredFile.filename).endswith(".pdf"))).all()
    out = {}
    for f in files:
        path = file_path(f.sha256, db.settings.files_path)
        out[f.filename] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                         check=True).stdout
    return out


def test_documents_wait_for_the_settings_and_go_out_with_them(db: Db, clock: FixedTime) -> None:
    unconfigure_agency(db.engine)
    staff = make_staff(db.engine, clock.now())
    assert setup_needed(db.engine, staff.agency_id)
    received = local_dt(2026, 3, 2, 9, 30)
    data = RegisterIn.model_validate(registration(received_at=received.isoformat(), assignee_id=staff.officer.id))
    reg = wf.register(db.engine, data, staff.front, clock.now())  # never refused for missing settings
    wf.act(db.engine, reg.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, clock.now())
    with read_session(db.engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.case_id == reg.id)).all()
        assert {r.notice_type for r in rows if r.status == "held"} >= {"disclosure.receipt", "disclosure.reply"}
        assert all(r.status != "pending" for r in rows if r.channel != "internal")
        assert held_count(s, staff.agency_id) >= 2
        receipt_date = s.get(Disclosure, reg.id).receipt_date  # type: ignore[union-attr]
    deliver_due(db.engine, clock.now(), instance="t", settings=db.settings)
    with read_session(db.engine) as s:  # only the officer's own notice went (staff notices carry no placeholder)
        sent = s.exec(select(Outbox).where(Outbox.case_id == reg.id, Outbox.status == "sent")).all()
    assert {r.channel for r in sent} <= {"internal"}
    assert _pdf_texts(db, reg.id) == {}

    # an incomplete setup is refused field by field; nothing is released
    with pytest.raises(DomainValidation) as bad:
        apply_setup(db.engine, staff.agency_id, REAL.model_copy(update={"name": "某县某局", "phone": ""}),
                    actor=staff.admin, now=clock.now())
    assert {f["field"] for f in bad.value.fields} == {"name", "phone"}

    clock.set(local_dt(2026, 3, 4, 10))  # two days later
    apply_setup(db.engine, staff.agency_id, REAL, actor=staff.admin, now=clock.now())
    assert not setup_needed(db.engine, staff.agency_id)
    with read_session(db.engine) as s:
        assert held_count(s, staff.agency_id) == 0
        assert s.get(Disclosure, reg.id).receipt_date == receipt_date  # type: ignore[union-attr]
    stats = deliver_due(db.engine, clock.now(), instance="t", settings=db.settings)
    assert stats.sent >= 2 and stats.dead == 0
    texts = _pdf_texts(db, reg.id)
    assert any("回执" in n for n in texts) and any("答复" in n for n in texts), list(texts)
    for name, text in texts.items():
        flat = text.replace("\n", "").replace(" ", "")
        assert "青山县自然资源局" in flat, name
        for bad_text in PLACEHOLDERS:
            assert bad_text not in flat, (name, bad_text)
    reply = next(t for n, t in texts.items() if "答复" in n).replace("\n", "").replace(" ", "")
    assert "青山县人民政府申请行政复议" in reply and "青山县人民法院" in reply
    receipt = next(t for n, t in texts.items() if "回执" in n).replace("\n", "").replace(" ", "")
    assert "2026年3月2日" in receipt  # the receipt date is the day it was received, not the day it went out


def test_internal_notices_are_not_held(db: Db, clock: FixedTime) -> None:
    unconfigure_agency(db.engine)
    staff = make_staff(db.engine, clock.now())
    reg = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                      clock.now())
    with read_session(db.engine) as s:
        internal = s.exec(select(Outbox).where(Outbox.case_id == reg.id, Outbox.channel == "internal")).all()
    assert internal and all(r.status == "pending" for r in internal)


def test_banli_setup_from_a_yaml_file(db: Db, clock: FixedTime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    unconfigure_agency(db.engine)
    staff = make_staff(db.engine, clock.now())
    wf.register(db.engine, RegisterIn.model_validate(registration()), staff.front, clock.now())
    with write_session(db.engine) as s:  # a local closure of the agency, filed under its code
        notice = CalendarNotice(scope="default", year=2026, document="县委办通知", source="import", imported_by="t",
                                imported_at=clock.now(), calendar_version=1)
        s.add(notice)
        s.flush()
        assert notice.id is not None
        s.add(CalendarDay(notice_id=notice.id, scope="default", day=date(2026, 7, 24), kind="holiday", name="火把节"))
        s.commit()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: 某县某局\naddress: 青山县人民路1号\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run_cli(monkeypatch, capsys, db.settings, "setup", str(bad))
    assert code == 2 and "name" in err and "phone" in err and "reconsideration_organ" in err
    typed = tmp_path / "typed.yaml"  # a postal code written as a number: said in Chinese, at its field
    typed.write_text("name: 青山县自然资源局\npostal_code: 675000\n", encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, db.settings, "setup", str(typed))
    assert code == 2 and "postal_code：应为文本" in err and "Input" not in err, err
    good = tmp_path / "setup.yaml"
    good.write_text(
        "name: 青山县自然资源局\ncode: qs-zrzyj\nseal_text: 青山县自然资源局\naddress: 青山县人民路1号\n"
        "phone: 0878-3120000\nreconsideration_organ: 青山县人民政府\nlitigation_court: 青山县人民法院\n"
        'morning: "08:30-12:00"\nafternoon: "14:30-17:30"\ntracking_format: "青自然依申〔{year}〕{seq:04d}号"\n',
        encoding="utf-8")
    code, out, err = run_cli(monkeypatch, capsys, db.settings, "setup", str(good))
    assert code == 0, err
    assert "青山县自然资源局（qs-zrzyj）" in out
    with read_session(db.engine) as s:
        agency = s.exec(select(Agency).where(Agency.code == "qs-zrzyj")).one()
        assert agency.settings["working_hours"] == ["08:30-12:00", "14:30-17:30"]
        assert agency.settings["tracking_format"] == "青自然依申〔{year}〕{seq:04d}号"
        assert held_count(s, staff.agency_id) == 0
        assert s.exec(select(Outbox).where(Outbox.agency_id == staff.agency_id, Outbox.status == "pending",
                                           Outbox.notice_type == "disclosure.receipt")).first() is not None
        # the agency's own holiday arrangements follow its new code
        assert s.exec(select(CalendarDay.scope).where(CalendarDay.name == "火把节")).one() == "qs-zrzyj"
        assert s.exec(select(CalendarNotice.scope).where(CalendarNotice.document == "县委办通知")).one() == "qs-zrzyj"
    code, out, _ = run_cli(monkeypatch, capsys, db.settings, "agency", "show", "qs-zrzyj")
    assert "文书所需设置尚缺" not in out and "行政复议机关：青山县人民政府" in out


def test_setup_by_another_agencys_admin_is_refused(db: Db, clock: FixedTime) -> None:
    from workflow.agencies.registry import create_agency
    from workflow.errors import Forbidden

    unconfigure_agency(db.engine)
    staff = make_staff(db.engine, clock.now())
    create_agency(db.engine, code="other", name="邻县某局", actor=system(staff.agency_id, "命令行"), now=clock.now())
    other = make_staff(db.engine, clock.now(), agency_code="other")
    with pytest.raises(Forbidden):
        apply_setup(db.engine, staff.agency_id, REAL, actor=other.admin, now=clock.now())


def test_banli_setup_refuses_settings_the_workflow_cannot_use(db: Db, clock: FixedTime, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Findings h3 #1: a setup file goes through the same checks as the settings API and page — each value the
    workflow could not use is named in Chinese, nothing is saved, and registration goes on working."""
    unconfigure_agency(db.engine)
    staff = make_staff(db.engine, clock.now())
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: 青山县自然资源局\naddress: 青山县人民路1号\nphone: 0878-3120000\nreconsideration_organ: 青山县人民政府\n"
        "litigation_court: 青山县人民法院\nemail: gk-at-example\npostal_code: abc\n"
        'morning: "09:00-15:00"\nafternoon: "14:00-18:00"\ntimezone: Mars/Olympus\nhotline_profile: nope\n'
        'tracking_format: "{year}{seq"\nreply_doc_format: "公开复{seq}号"\nsubmission_format: "{__class__}"\n',
        encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run_cli(monkeypatch, capsys, db.settings, "setup", str(bad))
    assert code == 2
    for field, says in (("email", "电子邮箱格式不正确"), ("postal_code", "6位数字"), ("afternoon", "重叠"),
                        ("timezone", "北京时间"), ("hotline_profile", "时限方案"), ("tracking_format", "花括号不成对"),
                        ("reply_doc_format", "须含年份"), ("submission_format", "只能写 year")):
        assert f"{field}：" in err and says in err, (field, err)
    assert "Error" not in err and "Traceback" not in err
    with read_session(db.engine) as s:
        agency = s.get(Agency, staff.agency_id)
        assert agency is not None and agency.name == "某县某局" and "tracking_format" not in (agency.settings or {})
    reg = wf.register(db.engine, RegisterIn.model_validate(registration()), staff.front, clock.now())
    assert reg.tracking_no == "依申〔2026〕0001号"


def test_setup_refuses_overlapping_spans_at_the_afternoon(db: Db, clock: FixedTime) -> None:
    """Morning and afternoon each fine but overlapping were a 500 (the calendar refused them after the checks)."""
    unconfigure_agency(db.engine)
    staff = make_staff(db.engine, clock.now())
    data = REAL.model_copy(update={"morning": ("09:00", "15:00"), "afternoon": ("14:00", "18:00")})
    with pytest.raises(DomainValidation) as exc:
        apply_setup(db.engine, staff.agency_id, data, actor=staff.admin, now=clock.now())
    assert [(f["field"], "重叠" in f["message"]) for f in exc.value.fields] == [("afternoon", True)]


def test_an_optional_setting_left_empty_is_left_out_not_marked(db: Db, clock: FixedTime) -> None:
    """An agency that fills in exactly what the banner asks for (no postal code: it is optional) sends its documents
    without the administrator's "not set" marker: an empty optional setting is left out of the contact line, and only
    the settings that hold a document are ever marked."""
    unconfigure_agency(db.engine)
    staff = make_staff(db.engine, clock.now())
    data = RegisterIn.model_validate(registration(received_at=local_dt(2026, 3, 2, 9, 30).isoformat(),
                                                  assignee_id=staff.officer.id))
    reg = wf.register(db.engine, data, staff.front, clock.now())
    wf.act(db.engine, reg.id, "request_correction", {"items": ["请写明所需信息的文号"]}, staff.officer, clock.now())
    apply_setup(db.engine, staff.agency_id, REAL.model_copy(update={"postal_code": ""}), actor=staff.admin,
                now=clock.now())
    wf.act(db.engine, reg.id, "receive_correction", {}, staff.officer, clock.now())
    wf.act(db.engine, reg.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, clock.now())
    stats = deliver_due(db.engine, clock.now(), instance="t", settings=db.settings)
    assert stats.sent >= 3 and stats.dead == 0
    texts = _pdf_texts(db, reg.id)
    assert {n for n in texts if "回执" in n or "补正" in n or "答复" in n} and len(texts) >= 3, list(texts)
    for name, text in texts.items():
        flat = text.replace("\n", "").replace(" ", "")
        assert "未设置" not in flat and "邮政编码：" not in flat, name
        assert "联系电话：0878-3120000" in flat or "回执" in name or "送达回证" in name, name
