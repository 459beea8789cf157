"""The document linter over the whole catalog (findings are failures), and proof that it catches each class
of glitch: planted doubled punctuation, a repeated clause, a title broken inside a word, a split seal."""

from __future__ import annotations

import re

import pytest

from notifications.lint_cases import punctuated, variants
from notifications.lint_layout import lint_pdf, pdf_pages, seal, title
from notifications.lint_text import lint_text, quoted_values
from notifications.pdf import html_to_pdf
from notifications.render import outline, render, render_many

LETTER_FORMATS = ("pdf",)


def _text_findings(code, ctx, settings):
    o = outline(code, ctx, settings=settings)
    return lint_text("\n".join(o.texts), allowed=quoted_values(ctx))


def test_text_of_every_document_has_no_findings(settings) -> None:
    cases = [*variants(), *punctuated()]
    findings = {name: f for name, code, ctx in cases if (f := _text_findings(code, ctx, settings))}
    print(f"linter (text): {len(cases)} documents, {sum(map(len, findings.values()))} findings")
    assert findings == {}


def test_layout_of_every_printable_document_has_no_findings(settings) -> None:
    findings, pages, docs = {}, 0, 0
    for name, code, ctx in variants():
        out = render_many(code, ctx, None, settings=settings)
        if "pdf" not in out:
            continue
        o = outline(code, ctx, settings=settings)
        pdf = out["pdf"].content
        docs += 1
        pages += len(pdf_pages(pdf))
        found = lint_pdf(pdf, units=o.title_units, closing=o.closing, signature=o.signature, appendix=o.appendix)
        if found:
            findings[name] = found
    print(f"linter (layout): {docs} PDF documents, {pages} pages, {sum(map(len, findings.values()))} findings")
    assert docs >= 40
    assert findings == {}


# ------------------------------------------------------------------ the linter catches each glitch


@pytest.mark.parametrize(("text", "check"), [
    ("您申请公开的政府信息为：“征地补偿明细。”。现答复如下：", "punctuation"),
    ("因需要调档核对，预计月底完成。，无法在规定期限内答复。", "punctuation"),
    ("本次申请提供的信息共250页根据规定。要求行政机关确认或重新出具已获取信息（（实践类别））", "parentheses"),
    ("经审查，该政府信息涉及涉及第三方的个人隐私。", "repeated"),
    ("该政府信息涉及第三方隐私，公开可能损害第三方合法权益，公开可能损害您的合法权益。", "repeated"),
    ("答复类型：third_party。", "ascii"),
    ("依据 rules.md 第1.3节，行 3.5.5。", "internal"),
    ("请于2026-11-30前提出。", "date"),
])
def test_text_checks_catch_planted_glitches(text, check) -> None:
    assert check in {c for c, _ in lint_text(text)}


def test_a_missing_date_is_a_finding() -> None:
    assert ("date", "缺少日期：2026年11月30日") in lint_text("请按期补正。", required_dates=["2026-11-30"])


def test_a_planted_double_full_stop_in_a_rendered_reply_is_found(settings) -> None:
    from notifications.fixtures import reply_context

    ctx = reply_context("disclose", "provided")
    # A clerk's text that itself ends "。”。" (the sentence filter leaves a finished sentence as typed).
    ctx["notice"]["history"] = "您曾于2026年10月8日提出相同申请，申请内容为“征地补偿明细。”。"
    text = render("disclosure.reply", ctx, "txt", settings=settings).content.decode()
    assert "。”。" in text
    assert "punctuation" in {c for c, _ in lint_text(text)}


def _reply_html(settings) -> tuple[str, list[str]]:
    from notifications.fixtures import reply_context
    from notifications.pdf import font_face_css

    ctx = reply_context("disclose", "provided")
    html = render("disclosure.reply", ctx, "html", settings=settings).content.decode()
    faces = str(font_face_css(settings.fonts_dir))
    return html.replace("</style>", faces + "</style>", 1), outline("disclosure.reply", ctx, settings=settings).title_units


def test_a_title_broken_inside_a_word_is_found(settings) -> None:
    html, units = _reply_html(settings)
    good = lint_pdf(html_to_pdf(html, fonts_dir=None), units=units)
    assert not [f for f in good if f[0] == "title"]
    # A narrower title box wraps "…申请答/复书" as the old layout did.
    broken = re.sub(r'<h1 class="title">.*?</h1>',
                    '<h1 class="title" style="width:125mm;margin:0 auto 14pt">某县自然资源局政府信息公开申请答复书</h1>',
                    html, flags=re.S)
    pdf = html_to_pdf(broken, fonts_dir=None)
    found = title(pdf_pages(pdf), units)
    assert found and found[0][0] == "title", found


def test_a_split_seal_is_found(settings) -> None:
    html, _ = _reply_html(settings)
    assert seal(html_to_pdf(html, fonts_dir=None)) == []
    # A ring dropped below its signature by hand, whole but past the type area into the bottom margin.
    pushed = html.replace('<div class="body">', '<div class="body" style="display:none">', 1)
    pushed = pushed.replace('<div class="seal"', '<div class="seal" style="position:relative;top:170mm"', 1)
    assert pushed.count("display:none") == pushed.count("top:170mm") == 1
    assert seal(html_to_pdf(pushed, fonts_dir=None)) == [("seal", "第1页印章超出版心")]


def test_the_old_seal_cut_at_the_foot_of_the_page_is_found(settings) -> None:
    """The layout of findings h4 §4: the ring positioned out of the flow with its text on a 42 mm line; a seal
    text too long for one line put "章）" on a second line 42 mm lower, and WeasyPrint cut the ring there at the
    page's end — an open arch 47 mm high and a text ending "（印"."""
    html, _ = _reply_html(settings)
    old = html.replace("</style>", ".notice .signature { position: relative; padding-top: 11mm; }"
                       ".notice .seal { position: absolute; right: 4em; top: 0; margin: 0; display: block;"
                       " line-height: 42mm; box-sizing: content-box; }"
                       ".notice .seal-text { display: inline; } .notice .seal-mark { white-space: normal; }</style>", 1)
    old = old.replace('<div class="body">', '<div class="body" style="display:none">', 1)
    old = old.replace('<div class="signature">', '<div style="height:140mm"></div><div class="signature">', 1)
    old = old.replace('<span class="seal-text">某县自然资源局', '<span class="seal-text">永仁县自然资源局', 1)
    assert old.count("永仁县自然资源局<span") == 1
    found = seal(html_to_pdf(old, fonts_dir=None))
    # As in the tester's PDF: an arch 121 pt wide and 133 pt high, and the text ending “（印”.
    assert [c for c, _ in found] == ["seal", "seal"], found
    assert found[0][1].startswith("第1页印章不完整（121×") and found[1][1] == "第1页印章内文字不完整（未见“（印章）”）", found


def test_text_beyond_the_margins_is_found(settings) -> None:
    from notifications.lint_layout import margins

    html, _ = _reply_html(settings)
    wide = html.replace("<p>特此答复。</p>", '<p style="margin-right:-30mm">' + "特此答复" * 12 + "。</p>", 1)
    found = margins(pdf_pages(html_to_pdf(wide, fonts_dir=None)))
    assert found and found[0][0] == "margin", found


def test_a_signature_before_the_body_is_found(settings) -> None:
    from notifications.lint_layout import order

    html, _ = _reply_html(settings)
    moved = html.replace("<p>特此答复。</p>", "", 1).replace("</article>", "<p>特此答复。</p></article>", 1)
    found = order(pdf_pages(html_to_pdf(moved, fonts_dir=None)), closing="特此答复。", signature="2026年11月25日",
                  appendix=None)
    assert found and found[0][0] == "signature", found


def test_a_title_left_alone_on_the_first_page_is_found(settings) -> None:
    """Findings h2 #6: the oral application's 登记表, a form taller than a page that was not allowed to break,
    went whole to page 2 and left page 1 with its title only."""
    from notifications.fixtures import fixture_context
    from notifications.lint_layout import lone_title
    from notifications.pdf import font_face_css

    ctx = fixture_context("disclosure.registration_form")
    ctx["case"]["oral"] = True
    html = render("disclosure.registration_form", ctx, "html", settings=settings).content.decode()
    html = html.replace("</style>", str(font_face_css(settings.fonts_dir)) + "</style>", 1)
    assert lone_title(pdf_pages(html_to_pdf(html, fonts_dir=None))) == []
    whole = html.replace("</style>", ".notice table.form.long { break-inside: avoid; } "
                         ".notice table.form.dense { font-size: 16pt; line-height: 28.9pt; }</style>", 1)
    found = lone_title(pdf_pages(html_to_pdf(whole, fonts_dir=None)))
    assert found and found[0][0] == "page", found
