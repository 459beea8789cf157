"""The documents a clerk signs, as a real case produces them (issue 19): the receipt, the correction notice, the
consultation letter, the fee notice and the reply of a disclosure application, and the 12345 reply sheet —
each stored PDF has its body in a 仿宋 face (pdffonts), passes the layout and text linters, and is written with
its page images to test-artifacts/documents/ for a person to look at (docs/notices.md says what was seen)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, Outbox, StoredFile
from notifications.files import read_file
from notifications.lint_layout import lint_pdf
from notifications.lint_text import lint_text, quoted_values
from notifications.outbox import deliver_due
from notifications.render import outline
from tests.helpers import make_staff, registration
from tests.hotline_helpers import act, new_order
from workflow.cases.attachments import attach_to_disclosure
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import local_dt

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
AGENCY = {"phone": "0878-3120000", "address": "某县人民路1号", "postal_code": "675000",
          "reconsideration_organ": "某县人民政府", "office_name": "某县某局政府信息公开工作机构",
          "lookup_url": "https://gk.example.gov.cn/chaxun"}
SHOWN = ("disclosure.receipt", "disclosure.correction_notice", "disclosure.consultation_third_party",
         "disclosure.fee_notice", "disclosure.reply", "workorder.reply_sheet")
PDF = b"%PDF-1.4\n% provided file\n%%EOF\n"
PROVIDED = ("招标公告", "中标结果公示", "征收补偿安置方案")


def _configure(db: Any) -> None:
    with write_session(db.engine) as s:
        agency = s.exec(select(Agency).order_by(col(Agency.id))).first()
        assert agency is not None
        agency.settings = {**agency.settings, **AGENCY}
        s.add(agency)
        s.commit()
    from workflow.agencies.cache import invalidate
    invalidate()  # settings written directly: drop the per-process agency cache


def _run_cases(db: Any, clock: Any) -> None:
    """One application through correction, third-party consultation and a partial reply with a file provided;
    one application charged a fee; one 12345 order replied to."""
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    clock.set(local_dt(2026, 3, 3, 10))
    wf.act(db.engine, r.id, "request_correction", {"items": ["请写明所需文件的名称或文号", "请说明所需信息的时间范围"]},
           staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 5, 10))
    wf.act(db.engine, r.id, "receive_correction", {}, staff.front, clock.now())
    wf.act(db.engine, r.id, "start_consultation",
           {"consultee_kind": "third_party", "consultee_name": "某建设有限公司", "consultee_contact": "tp@example.com",
            "interest": "投标文件中的报价明细属于该公司的商业秘密"}, staff.officer, clock.now())
    clock.set(local_dt(2026, 3, 10, 10))
    wf.act(db.engine, r.id, "record_opinion", {"opinion": "object", "opinion_text": "报价明细属于商业秘密。"},
           staff.officer, clock.now())
    for n, name in enumerate(PROVIDED):
        attach_to_disclosure(db.engine, r.id, data=PDF + b"%" + bytes([48 + n]) + b"\n", filename=f"{name}.pdf",
                             category="reply_info", actor=staff.officer, now=clock.now(), settings=db.settings)
    wf.act(db.engine, r.id, "reply",
           {"category": "partial", "reason": "partial", "third_party_objection": "withheld",
            "detail": {"withheld": "投标报价明细", "withheld_reason": "该部分属于第三方商业秘密"},
            "documents": list(PROVIDED)}, staff.officer, clock.now())
    fee = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)),
                      staff.front, clock.now())
    wf.act(db.engine, fee.id, "send_fee_notice", {"method": "page", "quantity": 320}, staff.officer, clock.now())
    oid = new_order(db.engine, staff.front, clock.now())
    act(db.engine, oid, "sign_for", staff.front, clock.now())
    act(db.engine, oid, "assign", staff.front, clock.now(), assignee_id=staff.officer.id)
    act(db.engine, oid, "reply", staff.officer, clock.now(),
        result_text="经现场核查，该工地已停止夜间施工，施工单位承诺每日22时后不再作业。")


def _pdffonts(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "d.pdf"
        src.write_bytes(pdf)
        return subprocess.run(["pdffonts", str(src)], capture_output=True, text=True, check=True).stdout


def _keep(name: str, pdf: bytes, fonts: str) -> None:
    """The PDF, its pages at 60 dpi and the pdffonts listing, for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    (ARTIFACTS / f"{name}.pdffonts.txt").write_text(fonts, encoding="utf-8")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / name)], check=True, timeout=120)


def test_documents_of_a_real_case_are_set_in_fangsong_and_pass_the_linters(sqlite_db, clock, tmp_path) -> None:
    db = sqlite_db
    _configure(db)
    _run_cases(db, clock)
    settings = db.settings.model_copy(update={"outbox_dir": tmp_path / "eml"})
    stats = deliver_due(db.engine, clock.now(), instance="test", settings=settings)
    assert stats.dead == 0
    with read_session(db.engine) as s:
        files = s.exec(select(StoredFile).where(col(StoredFile.notice_type).in_(SHOWN),
                                                StoredFile.content_type == "application/pdf")
                       .order_by(col(StoredFile.id))).all()
        contexts = {(o.case_kind, o.case_id, o.notice_type): o.context for o in s.exec(select(Outbox)).all()}
    by_type: dict[str, StoredFile] = {}
    for f in files:  # the first application's documents (the second one is there for the fee notice)
        by_type.setdefault(f.notice_type or "", f)
    assert sorted(by_type) == sorted(SHOWN)
    problems = {}
    for code in SHOWN:
        f = by_type[code]
        pdf = read_file(f, settings.files_path)
        fonts = _pdffonts(pdf)
        _keep(code, pdf, fonts)
        assert "FandolFang" in fonts, (code, fonts)  # the body face: 仿宋
        assert "UKai" not in fonts and "Type 3" not in fonts, (code, fonts)
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), (code, fonts)  # all embedded
        ctx = contexts[(f.case_kind, f.case_id, code)]
        o = outline(code, ctx, settings=settings)
        found = lint_pdf(pdf, units=o.title_units, closing=o.closing, signature=o.signature, appendix=o.appendix)
        found += lint_text("\n".join(o.texts), allowed=quoted_values(ctx))
        if found:
            problems[code] = found
    assert problems == {}
