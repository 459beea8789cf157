"""Issue 21: a document is rendered once — a resend, a second row or a second worker reads it back by content."""

from __future__ import annotations

import copy
import hashlib

import pytest
from aiosmtpd.controller import Controller

from notifications import pdf, render_cache
from notifications.fixtures import fixture_context
from notifications.outbox import deliver_due
from notifications.render import render_many
from tests.notifications.test_outbox import T0, add, engine, port, row, sink, stored_files  # noqa: F401


@pytest.fixture
def pdfs(monkeypatch) -> list[int]:
    """Counts the PDFs actually laid out (WeasyPrint), whoever asks for them."""
    calls: list[int] = []
    real = pdf.html_to_pdf

    def counting(html, **kw):
        calls.append(1)
        return real(html, **kw)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return calls


@pytest.fixture
def smtp_settings(settings, port):  # noqa: F811
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 5.0,
                                       "mail_from": "gongkai@zrzy.example.gov.cn"})


def test_the_same_document_is_rendered_once_and_read_back(settings, pdfs):
    ctx = fixture_context("disclosure.reply")
    first = render_many("disclosure.reply", ctx, ("html", "pdf"), settings=settings, cache=True)
    again = render_many("disclosure.reply", copy.deepcopy(ctx), ("pdf", "txt"), settings=settings, cache=True)
    assert len(pdfs) == 1
    assert again["pdf"] == first["pdf"] and again["pdf"].content.startswith(b"%PDF")
    other = copy.deepcopy(ctx)
    other["case"]["tracking_no"] = "依申〔2026〕0002号"
    assert render_many("disclosure.reply", other, ("pdf",), settings=settings, cache=True)["pdf"] != first["pdf"]
    assert len(pdfs) == 2  # another context, another document
    render_many("disclosure.reply", ctx, ("pdf",), settings=settings)  # without the cache (previews, checks)
    assert len(pdfs) == 3


def test_a_missing_value_is_refused_even_when_the_document_was_rendered(settings, pdfs):
    ctx = fixture_context("disclosure.reply")
    render_many("disclosure.reply", ctx, ("pdf",), settings=settings, cache=True)
    broken = copy.deepcopy(ctx)
    del broken["case"]["tracking_no"]
    with pytest.raises(Exception, match="tracking_no"):
        render_many("disclosure.reply", broken, ("pdf",), settings=settings, cache=True)


def test_lost_bytes_or_changed_templates_render_anew(settings, pdfs, tmp_path, monkeypatch):
    ctx = fixture_context("disclosure.reply")
    first = render_many("disclosure.reply", ctx, ("pdf",), settings=settings, cache=True)["pdf"]
    blob = settings.files_path / first.sha256[:2] / first.sha256
    blob.write_bytes(b"altered")
    assert render_many("disclosure.reply", ctx, ("pdf",), settings=settings, cache=True)["pdf"] == first
    assert len(pdfs) == 2  # altered bytes are never sent: rendered again (and stored again)
    assert blob.read_bytes() == first.content
    override = tmp_path / "override"
    (override / "default").mkdir(parents=True)
    changed = settings.model_copy(update={"templates_override_dir": override})
    monkeypatch.setattr(render_cache, "_MEANS", {})
    render_many("disclosure.reply", ctx, ("pdf",), settings=changed, cache=True)
    assert len(pdfs) == 3  # another override directory: other means of rendering
    (override / "default" / "note.txt").write_text("x")
    monkeypatch.setattr(render_cache, "_MEANS", {})
    render_many("disclosure.reply", ctx, ("pdf",), settings=changed, cache=True)
    assert len(pdfs) == 4  # a file added to it (a template edited) counts too


@pytest.mark.smtp
def test_a_resend_and_a_second_worker_reuse_the_rendered_reply(engine, sink, port, smtp_settings, pdfs):  # noqa: F811
    oid = add(engine)
    stats = deliver_due(engine, T0, instance="w1", settings=smtp_settings)  # no server yet: the attempt fails
    assert (stats.sent, stats.retried) == (0, 1) and len(pdfs) == 1
    twin = add(engine, recipient="lisi@example.com", key="twin")  # the same reply for a second address
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        stats = deliver_due(engine, row(engine, oid).next_attempt_at, instance="w2", settings=smtp_settings)
    finally:
        controller.stop()
    assert stats.sent == 2 and row(engine, twin).status == "sent"
    assert len(pdfs) == 1  # the resend and the other row: the reply rendered once, by the first worker
    attached = {att.get_content() for m in sink.messages for att in m.iter_attachments()}
    [stored] = {f.sha256 for f in stored_files(engine)}
    assert len(attached) == 1 and stored == hashlib.sha256(attached.pop()).hexdigest()
