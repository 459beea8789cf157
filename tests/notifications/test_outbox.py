"""Outbox delivery against a real aiosmtpd server on loopback, and the .eml fallback."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import SQLModel, select

import db.models  # noqa: F401 - populates the metadata
from db.engine import make_engine, read_session, write_session
from db.models import Agency, Outbox, StoredFile, User
from notifications import outbox as ob
from notifications.errors import RenderError
from notifications.files import read_file
from notifications.fixtures import fixture_context
from notifications.mailer import SmtpBackend
from notifications.outbox import NO_EMAIL_NOTE, deliver_due, enqueue, retry_dead
from notifications.render import render_subject
from tests.smtp_sink import Sink, free_port

T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def sink():
    return Sink()


@pytest.fixture
def server(sink, port):
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def engine(tmp_path):
    eng = make_engine("sqlite:///" + str(tmp_path / "outbox.db"))
    SQLModel.metadata.create_all(eng)
    with write_session(eng) as s:
        s.add(Agency(id=1, code="demo", name="某县自然资源局", settings={}, created_at=T0))
        s.commit()
    return eng


@pytest.fixture
def smtp_settings(settings, port):
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 5.0,
                                       "mail_from": "gongkai@zrzy.example.gov.cn"})


def add(engine, notice_type="disclosure.reply", *, recipient="zhangsan@example.com", channel="email",
        context=None, key=None, validate=True):
    with write_session(engine) as s:
        oid = enqueue(s, agency_id=1, notice_type=notice_type, channel=channel,
                      context=context or fixture_context(notice_type), dedupe_key=key or f"{notice_type}:{recipient}",
                      now=T0, recipient=recipient, recipient_name='张三 & <李四> "引号"', case_kind="disclosure",
                      case_id=1, validate=validate)
        s.commit()
        return oid


def run_out_leases(engine) -> None:
    """The leases of claimed rows end (as a lease of a killed worker does, on the database's clock)."""
    with write_session(engine) as s:
        s.execute(update(Outbox).where(Outbox.status == "sending").values(lease_until=datetime(2000, 1, 1, tzinfo=UTC)))
        s.commit()


def row(engine, oid) -> Outbox:
    with read_session(engine) as s:
        r = s.get(Outbox, oid)
        s.expunge(r)
        return r


def stored_files(engine) -> list[StoredFile]:
    with read_session(engine) as s:
        files = list(s.exec(select(StoredFile).order_by(StoredFile.filename)).all())
        for f in files:
            s.expunge(f)
        return files


pytestmark = pytest.mark.smtp


def test_chinese_subject_filename_and_attachment_bytes(engine, server, sink, smtp_settings):
    oid = add(engine)
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings)
    assert (stats.sent, stats.retried, stats.dead, stats.remaining, stats.files) == (1, 0, 0, 0, 1)
    [msg] = sink.messages
    assert msg["Subject"] == render_subject("disclosure.reply", fixture_context("disclosure.reply"),
                                            settings=smtp_settings) == "政府信息公开申请答复书（依申〔2026〕0001号）"
    assert msg["Message-ID"] == f"<outbox-{oid}.demo@zrzy.example.gov.cn>"
    assert msg["From"].addresses[0].display_name == "某县自然资源局"
    assert msg["To"].addresses[0].display_name == '张三 & <李四> "引号"'
    assert msg["To"].addresses[0].addr_spec == "zhangsan@example.com" and msg["Bcc"] is None
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "张三 & <李四>" in plain and "张三 &amp; &lt;李四&gt;" in html
    [att] = list(msg.iter_attachments())
    assert att.get_filename() == "政府信息公开申请答复书-依申〔2026〕0001号.pdf"
    data = att.get_content()
    [stored] = stored_files(engine)
    assert stored.for_applicant and stored.category == "notice" and stored.notice_type == "disclosure.reply"
    assert data == read_file(stored, smtp_settings.files_path) and stored.filename == att.get_filename()
    r = row(engine, oid)
    assert (r.status, r.attempts, r.message_id, r.locked_by) == ("sent", 1, msg["Message-ID"], None)


def test_server_down_then_back_nothing_twice(engine, sink, port, smtp_settings):
    ids = [add(engine, key=f"k{i}", recipient=f"user{i}@example.com") for i in range(3)]
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings)
    assert (stats.sent, stats.retried, stats.remaining) == (0, 3, 0)
    r = row(engine, ids[0])
    assert r.status == "pending" and r.attempts == 1 and "SMTPConnect" in r.last_error
    # outbox_backoff_seconds[1] after the attempt (the drain's clock advances with elapsed time)
    assert T0 + timedelta(seconds=60) <= r.next_attempt_at < T0 + timedelta(seconds=75)
    assert deliver_due(engine, T0 + timedelta(seconds=30), instance="t1", settings=smtp_settings).claimed == 0
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        stats = deliver_due(engine, T0 + timedelta(seconds=90), instance="t1", settings=smtp_settings)
        assert stats.sent == 3
        assert deliver_due(engine, T0 + timedelta(hours=9), instance="t1", settings=smtp_settings).claimed == 0
    finally:
        controller.stop()
    assert sorted(sink.ids()) == sorted(f"<outbox-{i}.demo@zrzy.example.gov.cn>" for i in ids)


def test_max_attempts_then_dead_and_retry_dead(engine, sink, port, smtp_settings):
    oid = add(engine)
    t = T0
    for expected in ("pending", "pending", "dead"):  # outbox_max_attempts = 3, back-off [0, 60, 300]
        stats = deliver_due(engine, t, instance="t1", settings=smtp_settings)
        assert row(engine, oid).status == expected
        t = row(engine, oid).next_attempt_at
    assert stats.dead == 1 and row(engine, oid).attempts == 3
    assert deliver_due(engine, t + timedelta(days=1), instance="t1", settings=smtp_settings).claimed == 0
    assert retry_dead(engine, oid, t + timedelta(days=1))
    assert not retry_dead(engine, oid, t + timedelta(days=1))  # already pending
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert deliver_due(engine, t + timedelta(days=1), instance="t1", settings=smtp_settings).sent == 1
    finally:
        controller.stop()
    assert row(engine, oid).status == "sent" and len(sink.messages) == 1


def test_5xx_is_dead_at_once_4xx_is_retried(engine, server, sink, smtp_settings):
    bounce = add(engine, recipient="bounce@example.com", key="a")
    grey = add(engine, recipient="grey@example.com", key="b")
    good = add(engine, recipient="ok@example.com", key="c")
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings)
    assert (stats.sent, stats.retried, stats.dead) == (1, 1, 1)
    assert row(engine, bounce).status == "dead" and "550" in row(engine, bounce).last_error
    assert row(engine, grey).status == "pending" and row(engine, grey).attempts == 1
    assert row(engine, good).status == "sent" and len(sink.messages) == 1


def test_crash_after_send_before_mark_gives_one_duplicate_with_same_id(engine, server, sink, smtp_settings,
                                                                       monkeypatch):
    oid = add(engine)
    real = ob.mark_sent

    class Killed(BaseException):
        """The process dies (kill -9): nothing in the drain can catch it, unlike an ordinary error of one row."""

    def crash(*args, **kwargs):
        raise Killed("process killed after SMTP accepted the message")

    monkeypatch.setattr(ob, "mark_sent", crash)
    with pytest.raises(Killed):
        deliver_due(engine, T0, instance="t1", settings=smtp_settings, lease_seconds=300)
    monkeypatch.setattr(ob, "mark_sent", real)
    assert row(engine, oid).status == "sending" and len(sink.messages) == 1
    # the lease is judged by the database's clock: a worker whose own clock runs ahead does not take it
    assert deliver_due(engine, T0 + timedelta(hours=1), instance="t2", settings=smtp_settings).claimed == 0
    run_out_leases(engine)
    stats = deliver_due(engine, T0 + timedelta(seconds=1), instance="t2", settings=smtp_settings)
    assert stats.sent == 1
    assert sink.ids() == [f"<outbox-{oid}.demo@zrzy.example.gov.cn>"] * 2
    assert deliver_due(engine, T0 + timedelta(hours=1), instance="t2", settings=smtp_settings).claimed == 0
    assert len(sink.messages) == 2 and row(engine, oid).status == "sent"


def test_a_row_that_cannot_be_marked_does_not_stop_the_batch(engine, server, sink, smtp_settings, monkeypatch):
    ids = [add(engine, "internal.reminder", recipient=f"officer{i}@example.com", key=f"m{i}") for i in range(3)]
    real, real_many = ob.mark_sent, ob.mark_sent_many

    def flaky(engine_, job, *args, **kwargs):
        if job.id == ids[1]:
            raise RuntimeError("database hiccup on this row")
        return real(engine_, job, *args, **kwargs)

    def flaky_many(engine_, rows, *args, **kwargs):  # the chunk's deliveries are marked together: that fails too
        if any(oid == ids[1] for oid, *_ in rows):
            raise RuntimeError("database hiccup on this row")
        return real_many(engine_, rows, *args, **kwargs)

    monkeypatch.setattr(ob, "mark_sent", flaky)
    monkeypatch.setattr(ob, "mark_sent_many", flaky_many)
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings, lease_seconds=300)
    monkeypatch.setattr(ob, "mark_sent", real)
    monkeypatch.setattr(ob, "mark_sent_many", real_many)
    assert stats.sent == 2 and len(sink.messages) == 3
    assert [row(engine, i).status for i in ids] == ["sent", "sending", "sent"]
    # once its lease is over it is sent again with the same Message-ID (the documented duplicate window)
    run_out_leases(engine)
    assert deliver_due(engine, T0 + timedelta(seconds=1), instance="t2", settings=smtp_settings).sent == 1
    assert sink.ids().count(f"<outbox-{ids[1]}.demo@zrzy.example.gov.cn>") == 2


def test_crash_before_deliveries_are_marked_resends_them_once_with_the_same_ids(engine, server, sink, smtp_settings,
                                                                                 monkeypatch):
    ids = [add(engine, "internal.reminder", recipient=f"officer{i}@example.com", key=f"c{i}") for i in range(4)]

    class Killed(BaseException):
        """The process dies after SMTP accepted messages, while marking them."""

    def crash(*args, **kwargs):
        raise Killed("killed")

    monkeypatch.setattr(ob, "mark_sent_many", crash)
    with pytest.raises(Killed):
        deliver_due(engine, T0, instance="t1", settings=smtp_settings, lease_seconds=300)
    monkeypatch.undo()
    before = sink.ids()
    assert [row(engine, i).status for i in ids] == ["sending"] * 4 and 1 <= len(before) <= 4
    assert deliver_due(engine, T0 + timedelta(hours=1), instance="t2", settings=smtp_settings).claimed == 0
    run_out_leases(engine)
    assert deliver_due(engine, T0 + timedelta(seconds=1), instance="t2", settings=smtp_settings).sent == 4
    # what went out before the crash goes out once more, with the same Message-ID; the rest once
    assert sorted(sink.ids()) == sorted(before + [f"<outbox-{i}.demo@zrzy.example.gov.cn>" for i in ids])
    assert {row(engine, i).status for i in ids} == {"sent"} and {row(engine, i).attempts for i in ids} == {1}


def test_a_batch_is_claimed_and_marked_in_a_few_statements(engine, server, sink, smtp_settings, monkeypatch):
    """Not one transaction per row: one UPDATE claims a batch; deliveries are marked together, at most every
    MARK_EVERY_S (here 10 s, so: the first delivery at once, the others at the end of their batch)."""
    from sqlalchemy import event

    monkeypatch.setattr(ob, "MARK_EVERY_S", 10.0)
    for i in range(120):
        add(engine, "internal.reminder", recipient=f"officer{i}@example.com", key=f"s{i}")
    updates: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            updates.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings, batch_size=100)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert (stats.sent, stats.batches) == (120, 2) and len(sink.messages) == 120
    assert len(set(sink.ids())) == 120
    claims = [u for u in updates if "RETURNING" in u.upper()]
    assert len(claims) == 6  # two per claim (leases run out, then pending): two batches and the look that ends the run
    assert len(updates) - len(claims) == 3  # marked: 1 + 99 (first batch), 20 (second)
    with read_session(engine) as s:
        assert {(r.status, r.attempts, r.locked_by) for r in s.exec(select(Outbox)).all()} == {("sent", 1, None)}
        assert all(r.message_id == f"<outbox-{r.id}.demo@zrzy.example.gov.cn>" for r in s.exec(select(Outbox)).all())


def test_drains_past_the_batch_size_on_one_connection(engine, server, sink, smtp_settings):
    for i in range(7):
        add(engine, "internal.reminder", recipient=f"officer{i}@example.com", key=f"r{i}")
    backend = SmtpBackend(smtp_settings)
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings, batch_size=3, backend=backend)
    assert (stats.sent, stats.batches, stats.remaining, stats.lag_seconds) == (7, 3, 0, 0.0)
    assert backend.connections == 1 and len(sink.messages) == 7


def test_internal_rows_use_the_users_email_or_stay_in_app(engine, server, sink, smtp_settings):
    with write_session(engine) as s:
        s.add(User(id=7, agency_id=1, username="jiming", display_name="\U00020bb7明", email="jiming@example.gov.cn",
                   password_hash="x", created_at=T0))
        s.add(User(id=8, agency_id=1, username="wangwu", display_name="王五", email=None, password_hash="x",
                   created_at=T0))
        s.commit()
    with_mail = add(engine, "internal.reminder", recipient="user:7", key="u7")
    no_mail = add(engine, "internal.reminder", recipient="user:8", key="u8")
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings)
    assert (stats.sent, stats.no_email) == (1, 1)
    [msg] = sink.messages
    assert msg["To"].addresses[0].addr_spec == "jiming@example.gov.cn"
    assert not list(msg.iter_attachments())
    assert row(engine, with_mail).status == "sent"
    r = row(engine, no_mail)
    assert (r.status, r.last_error, r.message_id) == ("sent", NO_EMAIL_NOTE, None)


def test_print_rows_are_rendered_and_stored_not_mailed(engine, server, sink, smtp_settings):
    oid = add(engine, "disclosure.registration_form", channel="print", recipient="")
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings)
    assert (stats.printed, stats.sent, stats.files) == (1, 0, 2) and not sink.messages
    files = stored_files(engine)
    assert [f.filename for f in files] == ["政府信息公开申请登记表-依申〔2026〕0001号.docx",
                                           "政府信息公开申请登记表-依申〔2026〕0001号.pdf"]
    assert not any(f.for_applicant for f in files) and row(engine, oid).status == "sent"


def test_render_error_is_dead_with_the_missing_key(engine, server, sink, smtp_settings):
    ctx = fixture_context("disclosure.receipt")
    del ctx["notice"]["query_code"]
    oid = add(engine, "disclosure.receipt", context=ctx, validate=False)
    stats = deliver_due(engine, T0, instance="t1", settings=smtp_settings)
    assert stats.dead == 1 and "notice.query_code" in row(engine, oid).last_error
    with pytest.raises(RenderError, match=r"notice\.query_code"):
        add(engine, "disclosure.receipt", context=ctx, key="again")


def test_docx_attached_where_the_agency_wants_it(engine, server, sink, smtp_settings):
    ctx = fixture_context("disclosure.fee_notice")
    ctx["agency"]["mail_attachments"] = ["pdf", "docx"]
    add(engine, "disclosure.fee_notice", context=ctx)
    deliver_due(engine, T0, instance="t1", settings=smtp_settings)
    names = sorted(a.get_filename() for a in sink.messages[0].iter_attachments())
    assert names == ["政府信息公开申请收费通知书-依申〔2026〕0001号.docx", "政府信息公开申请收费通知书-依申〔2026〕0001号.pdf"]


def test_eml_backend_writes_readable_files(engine, settings):
    oid = add(engine)
    stats = deliver_due(engine, T0, instance="t1", settings=settings)
    assert stats.sent == 1
    path = settings.outbox_path / f"{oid}-disclosure.reply.eml"
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg["Subject"] == "政府信息公开申请答复书（依申〔2026〕0001号）"
    assert "张三 & <李四>" in msg.get_body(("plain",)).get_content()
    [att] = list(msg.iter_attachments())
    assert att.get_filename().endswith(".pdf") and att.get_content().startswith(b"%PDF")
    assert row(engine, oid).status == "sent"


def test_backlog_reported_when_the_time_budget_is_spent(engine, settings):
    for i in range(3):
        add(engine, "internal.reminder", recipient=f"o{i}@example.com", key=f"b{i}")
    stats = deliver_due(engine, T0 + timedelta(minutes=5), instance="t1", settings=settings, time_budget_s=0.0)
    assert (stats.claimed, stats.remaining) == (0, 3)
    assert 300 <= stats.lag_seconds < 330
    stats = deliver_due(engine, T0 + timedelta(minutes=5), instance="t1", settings=settings)
    assert (stats.sent, stats.remaining, stats.lag_seconds) == (3, 0, 0.0)


def test_enqueue_many_counts_new_rows_skips_known_keys_and_checks_each_type(engine):
    """The one multi-row insert of outbox rows (registrations, sweeps): duplicates of a dedupe key are
    skipped and not counted; with validation, a context missing what the catalog needs is refused."""
    def values(key, notice_type="disclosure.reply", context=None):
        return ob.outbox_values(agency_id=1, notice_type=notice_type, channel="email",
                                context=context or fixture_context(notice_type), dedupe_key=key, now=T0,
                                recipient="zhangsan@example.com", case_kind="disclosure", case_id=1)

    with write_session(engine) as s:
        assert ob.enqueue_many(s, [values("a"), values("b")]) == 2
        assert ob.enqueue_many(s, [values("b"), values("c", "disclosure.receipt")]) == 1
        with pytest.raises(RenderError):
            ob.enqueue_many(s, [values("d", context={"agency": {}})])
        assert ob.enqueue_many(s, []) == 0
        s.commit()
    with read_session(engine) as s:
        assert sorted(r.dedupe_key for r in s.exec(select(Outbox)).all()) == ["a", "b", "c"]
