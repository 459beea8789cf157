"""Every notice type renders in every format from its fixture; escaping; missing keys; overrides."""

from __future__ import annotations

import html
import io
import shutil
import zipfile
from xml.etree import ElementTree

import pytest
from docx import Document

from notifications.blocks import FragmentError, parse_fragment
from notifications.catalog import CATALOG, check_catalog
from notifications.errors import CatalogError, RenderError, UnknownNotice
from notifications.fixtures import EXT_B, HOSTILE, fixture_context, markers
from notifications.render import render, render_many, render_subject
from tests.notifications.conftest import docx_text, docx_xml

CASES = [(code, fmt) for code, spec in CATALOG.items() for fmt in spec.formats if fmt != "pdf"]


@pytest.mark.parametrize(("code", "fmt"), CASES, ids=[f"{c}-{f}" for c, f in CASES])
def test_renders_from_fixture_with_markers(code, fmt, settings):
    doc = render(code, fixture_context(code), fmt, settings=settings)
    assert doc.content and len(doc.sha256) == 64
    assert doc.filename.startswith(CATALOG[code].title_zh) and doc.filename.endswith("." + fmt)
    text = docx_text(doc.content) if fmt == "docx" else doc.content.decode("utf-8")
    if fmt == "html":
        for m in markers(code):
            assert html.escape(m, quote=True) in text
        assert "<李四>" not in text and "<西楼>" not in text
        assert CATALOG[code].title_zh in html.unescape(text)
    else:
        for m in markers(code):
            assert m in text, (m, text[:500])
    assert EXT_B in text


def test_docx_keeps_hostile_input_literal_and_escaped_in_xml(settings):
    doc = render("disclosure.reply", fixture_context("disclosure.reply"), "docx", settings=settings)
    assert HOSTILE + "：" in docx_text(doc.content)
    xml = docx_xml(doc.content)
    assert "张三 &amp; &lt;李四&gt;" in xml


def test_docx_template_names_east_asian_fonts_and_a4_margins(settings):
    from docx import Document
    from docx.oxml.ns import qn

    from notifications.environment import DEFAULTS_DIR

    d = Document(str(DEFAULTS_DIR / "docx" / "letter.docx"))
    sec = d.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == \
        [37, 35, 28, 26]
    fonts = {s.name: s.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
             for s in d.styles if s.name.startswith("Banli") or s.name == "Normal"}
    assert fonts["Normal"] == "仿宋_GB2312" and fonts["Banli Body"] == "仿宋_GB2312"
    assert fonts["Banli Title"] == "方正小标宋简体" and fonts["Banli Heading"] == "黑体"


W_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
DOCX_CODES = [code for code, spec in CATALOG.items() if "docx" in spec.formats]
# Label cells (<th>) each table notice must carry into its DOCX as bold text.
DOCX_LABELS = {
    "disclosure.delivery_record": ("送达文书", "受送达人", "送达方式", "邮件号码", "签收人", "签收日期"),
    "disclosure.registration_form": ("登记编号", "申请人类型", "证件号码", "所需信息", "承办人", "登记人"),
    "disclosure.consultation_third_party": ("征求意见事项", "意见", "理由及依据"),
    "disclosure.application_form": ("申请人信息", "姓名/名称", "证件号码"),
    "disclosure.receipt": ("登记编号", "申请人", "答复期限"),
    "disclosure.online_receipt": ("登记编号", "申请人", "答复期限"),
    "disclosure.fee_notice": ("计费档次", "合计"),
    "workorder.reply_sheet": ("工单编号", "来电人", "办理情况"),
}


def _runs(cell) -> list:
    return [r for p in cell.paragraphs for r in p.runs if r.text]


def _docx_cells(data: bytes) -> list:
    d = Document(io.BytesIO(data))
    return list({c._tc: c for t in d.tables for row in t.rows for c in row.cells}.values())


@pytest.mark.parametrize("code", DOCX_CODES)
def test_docx_is_well_formed_and_table_labels_are_bold_text(code, settings):
    """Text elements hold text only (a run pasted inside <w:t> is schema-invalid: Word reports the file as
    corrupt and python-docx reads the label cell as empty); the label cells read back as bold text."""
    doc = render(code, fixture_context(code), "docx", settings=settings)
    root = ElementTree.fromstring(docx_xml(doc.content))
    assert [t for t in root.iterfind(".//w:t", W_NS) if len(t)] == []
    assert [r for r in root.iterfind(".//w:r", W_NS) if r.find(".//w:r", W_NS) is not None] == []
    cells = _docx_cells(doc.content)
    bold = {c.text for c in cells if _runs(c) and all(r.bold for r in _runs(c))}
    assert not any("w:" in c.text for c in cells)
    for label in DOCX_LABELS.get(code, ()):
        assert label in bold, (label, [c.text for c in cells])
    if cells:
        assert code in DOCX_LABELS, "a new table notice: list its labels in DOCX_LABELS"


def test_docx_table_values_keep_line_breaks_and_stay_literal(settings):
    ctx = fixture_context("disclosure.receipt")
    ctx["case"]["description"] = "第一项 & <甲>\n第二项"
    doc = render("disclosure.receipt", ctx, "docx", settings=settings)
    values = [c for c in _docx_cells(doc.content) if c.text.startswith("第一项")]
    assert [c.text for c in values] == ["第一项 & <甲>\n第二项"]
    assert _runs(values[0]) and not any(r.bold for r in _runs(values[0]))
    assert "第一项 &amp; &lt;甲&gt;" in docx_xml(doc.content)


def test_docx_template_file_is_up_to_date(tmp_path):
    """``letter.docx`` is generated: the committed file is what ``python -m tools.build_docx_templates`` writes."""
    from notifications.environment import DEFAULTS_DIR
    from tools.build_docx_templates import OUT, build

    assert OUT == DEFAULTS_DIR / "docx" / "letter.docx"
    fresh = build(tmp_path / "letter.docx")
    with zipfile.ZipFile(fresh) as new, zipfile.ZipFile(OUT) as old:
        assert sorted(new.namelist()) == sorted(old.namelist())
        for name in new.namelist():
            assert new.read(name) == old.read(name), f"{name}: run python -m tools.build_docx_templates"


def test_html_has_print_css_and_document_number(settings):
    page = render("disclosure.reply", fixture_context("disclosure.reply"), "html", settings=settings)
    text = page.content.decode()
    assert "margin: 37mm 26mm 35mm 28mm" in text and 'counter(page)' in text
    assert "某自然资公复〔2026〕12号" in text and "2026年11月25日" in text
    assert page.filename == "政府信息公开申请答复书-依申〔2026〕0001号.html"


def test_missing_required_key_names_it(settings):
    ctx = fixture_context("disclosure.receipt")
    del ctx["case"]["tracking_no"]
    ctx["notice"]["query_code"] = "  "
    with pytest.raises(RenderError) as err:
        render("disclosure.receipt", ctx, "html", settings=settings)
    assert err.value.notice_type == "disclosure.receipt"
    assert set(err.value.missing) == {"case.tracking_no", "notice.query_code"}
    assert "disclosure.receipt" in str(err.value) and "case.tracking_no" in str(err.value)


def test_undeclared_missing_key_is_caught_by_strict_undefined(settings):
    ctx = fixture_context("disclosure.reply")
    del ctx["agency"]["office_name"], ctx["agency"]["name"]
    with pytest.raises(RenderError) as err:
        render("disclosure.reply", ctx, "txt", settings=settings)
    assert "agency.name" in err.value.missing
    ctx = fixture_context("disclosure.registration_form")
    del ctx["case"]["applicant"]["id_type_label"]
    with pytest.raises(RenderError, match="id_type_label"):
        render("disclosure.registration_form", ctx, "html", settings=settings)


def test_none_value_is_refused(settings):
    ctx = fixture_context("disclosure.registration_form")
    ctx["case"]["applicant"]["id_number"] = None
    with pytest.raises(RenderError, match="None"):
        render("disclosure.registration_form", ctx, "html", settings=settings)


def test_reply_decision_specific_keys_are_required(settings):
    from notifications.fixtures import reply_context

    ctx = reply_context("unavailable", "not_responsible")
    del ctx["notice"]["detail"]["responsible_contact"]
    with pytest.raises(RenderError) as err:
        render("disclosure.reply", ctx, "html", settings=settings)
    assert err.value.missing == ("notice.detail.responsible_contact",)


def test_unknown_type_and_format(settings):
    with pytest.raises(UnknownNotice):
        render("disclosure.nope", {}, "html", settings=settings)
    with pytest.raises(UnknownNotice):
        render("internal.reminder", fixture_context("internal.reminder"), "docx", settings=settings)


def test_subject_lines(settings):
    assert render_subject("disclosure.reply", fixture_context("disclosure.reply"), settings=settings) == \
        "政府信息公开申请答复书（依申〔2026〕0001号）"
    assert render_subject("internal.overdue", fixture_context("internal.overdue"), settings=settings) \
        .startswith("【督办】")
    digest = render_subject("internal.digest", fixture_context("internal.digest"), settings=settings)
    assert "今日到期2件" in digest and "逾期1件" in digest


def test_override_directory_wins(tmp_path, settings):
    root = tmp_path / "overrides"
    (root / "demo" / "body" / "reply").mkdir(parents=True)
    (root / "demo" / "body" / "disclosure.receipt.html").write_text(
        "<p>{{ case.applicant.name }}：本县自定义回执。</p>", encoding="utf-8")
    # Overriding one reply paragraph: the default reply template includes it from the agency's path.
    (root / "demo" / "body" / "reply" / "unavailable.not_held.html").write_text(
        "<p>经检索，本局未找到（自定义措辞）。依据第三十六条第（四）项。</p>", encoding="utf-8")
    s = settings.model_copy(update={"templates_override_dir": root})
    receipt = render("disclosure.receipt", fixture_context("disclosure.receipt"), "txt", settings=s)
    assert "本县自定义回执" in receipt.content.decode()
    from notifications.fixtures import reply_context

    reply = render("disclosure.reply", reply_context("unavailable", "not_held"), "txt", settings=s).content.decode()
    assert "自定义措辞" in reply and "如对本答复不服" in reply
    other = fixture_context("disclosure.receipt")
    other["agency"]["code"] = "another"
    assert "自定义" not in render("disclosure.receipt", other, "txt", settings=s).content.decode()
    assert "自定义" not in render("disclosure.receipt", fixture_context("disclosure.receipt"), "txt",
                                  settings=settings).content.decode()


def test_docx_override_file_is_used(tmp_path, settings):
    from notifications.environment import DEFAULTS_DIR

    root = tmp_path / "overrides"
    (root / "demo" / "docx").mkdir(parents=True)
    shutil.copy(DEFAULTS_DIR / "docx" / "letter.docx", root / "demo" / "docx" / "letter.docx")
    from docx import Document

    d = Document(str(root / "demo" / "docx" / "letter.docx"))
    d.paragraphs[0].runs[0].text = "{{ heading }}（本县样式）"
    d.save(str(root / "demo" / "docx" / "letter.docx"))
    s = settings.model_copy(update={"templates_override_dir": root})
    out = render("disclosure.reply", fixture_context("disclosure.reply"), "docx", settings=s)
    assert "答复书（本县样式）" in docx_text(out.content)


def test_agency_code_cannot_escape_the_override_root(settings, tmp_path):
    ctx = fixture_context("disclosure.receipt")
    ctx["agency"]["code"] = "../etc"
    with pytest.raises(RenderError, match="invalid agency code"):
        render("disclosure.receipt", ctx, "html", settings=settings.model_copy(
            update={"templates_override_dir": tmp_path}))


def test_fragment_parser_rejects_unsupported_markup():
    with pytest.raises(FragmentError):
        parse_fragment("<p>ok</p><script>x</script>")
    with pytest.raises(FragmentError):
        parse_fragment("loose text")
    blocks = parse_fragment('<p class="flush">a<br>b</p><table><tr><th>x</th><td colspan="3">y</td></tr>'
                            "<tr><td>1</td><td>2</td></tr></table>")
    assert blocks[0].text == "a\nb" and blocks[1].rows[1][-1].span == 3


def test_fragment_parser_reads_form_column_widths():
    (table,) = parse_fragment('<table class="form dense"><colgroup><col style="width: 20%"><col style="width: 80%">'
                              "</colgroup><tr><th>a</th><td>b</td></tr></table>")
    assert table.widths == [0.2, 0.8] and table.classes == ("form", "dense")
    with pytest.raises(FragmentError):  # three widths for two columns
        parse_fragment('<table><col style="width: 20%"><col style="width: 40%"><col style="width: 40%">'
                       "<tr><th>a</th><td>b</td></tr></table>")
    with pytest.raises(FragmentError):  # not a percentage
        parse_fragment('<table><col style="width: 30mm"><col style="width: 70%"><tr><th>a</th><td>b</td></tr></table>')
    with pytest.raises(FragmentError):  # widths that do not add up
        parse_fragment('<table><col style="width: 20%"><col style="width: 70%"><tr><th>a</th><td>b</td></tr></table>')


def test_docx_form_columns_follow_the_declared_widths(settings):
    from notifications.docx_render import TEXT_WIDTH_TWIPS

    doc = render("disclosure.registration_form", fixture_context("disclosure.registration_form"), "docx",
                 settings=settings)
    table = Document(io.BytesIO(doc.content)).tables[0]
    grid = [int(c.get(f"{{{W_NS['w']}}}w")) for c in table._tbl.tblGrid]
    assert grid == [round(TEXT_WIDTH_TWIPS * s) for s in (0.17, 0.29, 0.20, 0.34)]
    assert table.autofit is False  # fixed layout: Word keeps the columns
    sizes = {r.font.size.pt for c in _docx_cells(doc.content) for r in _runs(c)}
    assert sizes == {12.0}  # a dense form in 小四, as printed


def test_check_catalog_passes_and_reports_a_broken_override(tmp_path):
    check_catalog()
    root = tmp_path / "o"
    (root / "demo" / "body").mkdir(parents=True)
    (root / "demo" / "body" / "disclosure.delay_notice.html").write_text("<p>{{ notice.nonexistent }}</p>")
    with pytest.raises(CatalogError, match=r"disclosure\.delay_notice"):
        check_catalog(override_dir=root)


def test_render_many_shares_one_body(settings):
    out = render_many("disclosure.correction_notice", fixture_context("disclosure.correction_notice"),
                      ("html", "docx", "txt"), settings=settings)
    assert set(out) == {"html", "docx", "txt"}
    txt = out["txt"].content.decode()
    assert "3. 请补充提供申请人身份证件复印件" in txt and "2026年11月23日前" in txt and "第三十条" in txt


OLD_FEE_HOW = "请持本通知书到本机关政府信息公开工作机构办理缴费手续，缴费后取得财政票据。"  # the default until h2 #8


@pytest.mark.parametrize("how", [None, OLD_FEE_HOW, "请通过非税收入缴款系统缴纳。"])
def test_fee_notice_says_once_that_a_fiscal_receipt_is_issued(how, settings):
    """Findings h2 #8: the default 缴费方式 and the notice's own sentence both promised the 财政票据."""
    from workflow.agencies.config import AgencyConfig

    ctx = fixture_context("disclosure.fee_notice")
    ctx["notice"]["payment"]["how"] = AgencyConfig().fee_payment_how if how is None else how
    text = render("disclosure.fee_notice", ctx, "txt", settings=settings).content.decode()
    assert text.count("财政票据") == 1, text


def test_letter_to_another_agency_names_a_contact_office_as_such(settings):
    """Findings h2 #8: "联系人：<office name>" when no contact person was given; 联系机构 as in the other notices."""
    ctx = fixture_context("disclosure.consultation_agency")
    text = render("disclosure.consultation_agency", ctx, "txt", settings=settings).content.decode()
    assert "联系人：王五" in text
    del ctx["notice"]["contact_person"]
    text = render("disclosure.consultation_agency", ctx, "txt", settings=settings).content.decode()
    assert f"联系机构：{ctx['agency']['office_name']}；" in text and "联系人" not in text
