"""The page-wording check (issue 20): what a clerk or an applicant reads is plain Chinese.

``findings(html, url)`` takes a rendered page and returns what a person should not read there: ASCII words
outside an allow-list (numbers, case numbers, file names, e-mail addresses and the few format names a clerk
knows are allowed), references to the rule files (rules.md, §), the confidence labels of a time-limit source
(UNCONFIRMED, 未核实, 推导值), raw codes (yunnan_county, Asia/Shanghai) and links to outside sites. The sources and
confidence of a 12345 time-limit rule may appear only inside an element marked ``data-wording="admin-sources"``
on an administrator's page. Pure: no database, no client.
"""

from __future__ import annotations

import html as html_lib
import re

# Format names and units a clerk reads on buttons and hints (上传 PDF、JPG …), and the hotline's own name.
ALLOWED_WORDS = frozenset({
    "PDF", "JPG", "JPEG", "PNG", "DOCX", "XLSX", "CSV", "KB", "MB", "YAML", "JSON", "JSONL",
    "EXCEL", "WORD", "WPS", "WORD/WPS", "GB/T",  # the programs clerks open the files with; national standards
    "EMS",  # 邮政特快专递, as everyone writes it
})
# Data the fixtures typed in ASCII: login names, the agency's code, the platform's export columns are not here.
FORBIDDEN = ("rules.md", "UNCONFIRMED", "CONFIRMED", "DERIVED", "SECONDARY", "（未核实）", "未核实", "推导值",
             "二手来源", "§", "yunnan_county", "Asia/Shanghai", "lag_seconds", "already_sent", "digest",
             "Successful Response", "Validation Error")
ADMIN_ONLY = re.compile(r'<(\w+)[^>]*data-wording="admin-sources"[^>]*>.*?</\1>', re.S)
# the technical text of a failure (the mail server's words), collapsed, for the instance administrator only
TECHNICAL = re.compile(r'<(\w+)[^>]*data-wording="technical"[^>]*>.*?</\1>', re.S)
# script, style, and what a person typed (a textarea's content, like an input's value, is theirs, not ours)
_DROP = re.compile(r"<(script|style|template|textarea)\b.*?</\1>|<!--.*?-->", re.S | re.I)
_ATTR_TEXT = re.compile(r'\s(?:title|placeholder|alt|aria-label|data-confirm)="([^"]*)"')
_SUBMIT_VALUE = re.compile(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"<code>.*?</code>", re.S)  # the API reference's identifiers: paths, fields, parameter names
_HREF = re.compile(r'\b(?:href|src|action)="([^"]*)"')
# an ASCII word: letters first; a token with a digit in it is a number, a case or tracking number, a version
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+/:\-]*")
_FILE = re.compile(r".+\.(pdf|docx|xlsx|csv|jsonl|json|png|jpe?g|eml|txt|yaml|yml|zip|gz)$", re.I)
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def visible_text(page: str) -> str:
    """The text a person reads: element text, tooltips, placeholders, confirm dialogs and button captions."""
    body = _DROP.sub(" ", page)
    extra = _ATTR_TEXT.findall(body) + _SUBMIT_VALUE.findall(body)
    text = _TAG.sub(" ", body)
    return html_lib.unescape(" ".join([text, *extra]))


def _ascii_words(text: str, allowed_data: frozenset[str]) -> list[str]:
    out = []
    for tok in _TOKEN.findall(text):
        tok = tok.strip(".:/-")
        if len(tok) < 2 or not re.search(r"[A-Za-z]{2,}", tok):
            continue
        if re.search(r"\d", tok) and not re.search(r"[A-Za-z]{3,}_|_[A-Za-z]{3,}", tok):
            continue  # a number, a case or tracking number (YN202600000001, EA123456789CN), a date, a size
        if (tok.upper() in ALLOWED_WORDS or tok in allowed_data or _FILE.match(tok) or _EMAIL.match(tok)):
            continue
        out.append(tok)
    return out


def findings(page: str, url: str, *, allowed_data: frozenset[str] = frozenset(), admin: bool = False,
             developer: bool = False, instance_admin: bool = False) -> list[str]:
    """What a person should not read on ``page`` (empty: the page is plain Chinese). ``developer``: the API
    reference, whose field names, types and paths are identifiers an integrator types — only the internal texts,
    the untranslated framework texts and outside links are findings there (an identifier set in ``<code>`` is what
    it is, e.g. the field ``lag_seconds`` of the scheduler status). ``instance_admin``: the technical text
    of a failure, collapsed (``data-wording="technical"``), is for them."""
    if admin or instance_admin:  # the administrators' profile page shows where each time limit comes from
        page = ADMIN_ONLY.sub(" ", page)
    if instance_admin:  # 系统状态: a failure's technical text, behind 技术详情
        page = TECHNICAL.sub(" ", page)
    if developer:
        page = _CODE.sub(" ", page)
    out: list[str] = []
    text = visible_text(page)
    out += [f"{url}: internal text {word!r}" for word in FORBIDDEN if word in text]
    for word in dict.fromkeys([] if developer else _ascii_words(text, allowed_data)):
        out.append(f"{url}: ASCII word {word!r}")
    for link in _HREF.findall(_DROP.sub(" ", page)):
        if re.match(r"^(?:https?:)?//", link) and not link.startswith(("http://testserver", "//testserver")):
            out.append(f"{url}: link to an outside site {link!r}")
    for m in re.finditer(r"https?://[^\s<>\"']+", text):
        if not m.group(0).startswith("http://testserver"):
            out.append(f"{url}: outside address in the text {m.group(0)!r}")
    return out


__all__ = ["ALLOWED_WORDS", "FORBIDDEN", "findings", "visible_text"]
