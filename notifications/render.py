"""Render a notice from its context snapshot to HTML, PDF, DOCX or plain text.

``render(notice_type, context, fmt)`` → ``RenderedDocument``. The body fragment is rendered once
(``templates/body/<type>.html``, autoescaped); the layouts wrap it for each format. A missing or empty
context value is a ``RenderError`` naming the type and the key — never a blank in a legal document.
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateNotFound, UndefinedError
from markupsafe import Markup

from notifications import render_cache
from notifications.blocks import Block, FragmentError, parse_fragment
from notifications.catalog import CONTENT_TYPES, EXTENSIONS, NoticeSpec, get_spec, required_keys
from notifications.environment import (
    DEFAULTS_DIR,
    AgencyLoader,
    NoneValue,
    agency_name,
    docx_environment,
    get_environment,
    subject_template,
)
from notifications.errors import RenderError, UnknownNotice
from settings import Settings, get_settings

_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_ATTR = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


@dataclass(frozen=True)
class RenderedDocument:
    """One rendered file: its bytes, a Chinese file name, a MIME type and the SHA-256 of the bytes."""

    content: bytes
    filename: str
    content_type: str
    sha256: str


@dataclass
class _Prepared:
    spec: NoticeSpec
    ctx: dict[str, Any]
    body: Markup
    override_dir: Path | None
    appendix: Markup = field(default_factory=Markup)
    _blocks: list[Block] | None = None
    _appendix_blocks: list[Block] | None = None

    def _parse(self, fragment: Markup, what: str) -> list[Block]:
        try:
            return parse_fragment(str(fragment))
        except FragmentError as exc:
            raise RenderError(self.spec.code, f"{what} template markup: {exc}") from exc

    @property
    def blocks(self) -> list[Block]:
        if self._blocks is None:
            self._blocks = self._parse(self.body, "body")
        return self._blocks

    @property
    def appendix_blocks(self) -> list[Block]:
        if self._appendix_blocks is None:
            self._appendix_blocks = self._parse(self.appendix, "appendix") if self.appendix else []
        return self._appendix_blocks


# A title is broken only between its words (GB/T 9704-2012 7.3.3: 回行时要做到词意完整): after the agency's
# name, and after these stems of a notice title. 二号 (22pt) on the 156 mm line holds 20 characters.
TITLE_CHARS = 20
TITLE_STEMS = ("网上政府信息公开申请", "政府信息公开申请", "政府信息依申请公开", "12345政务服务便民热线")


def title_units(agency: str, title: str) -> list[str]:
    """The unbreakable pieces of a heading: the agency's name, then the title split after a known stem."""
    units = [agency] if agency else []
    for stem in TITLE_STEMS:
        if title.startswith(stem) and len(title) > len(stem):
            return [*units, stem, title[len(stem):]]
    return [*units, title]


def heading_lines(agency: str, title: str, width: int = TITLE_CHARS) -> list[str]:
    """The heading as printed lines: one line if it fits, else agency name / title, else word by word."""
    units = title_units(agency, title)
    if sum(map(len, units)) <= width:
        return ["".join(units)]
    if agency and len(agency) <= width and len(title) <= width:
        return [agency, title]
    lines: list[str] = []
    for unit in units:
        if lines and len(lines[-1]) + len(unit) <= width:
            lines[-1] += unit
        else:
            lines.append(unit)
    return lines


def _lookup(context: Mapping[str, Any], dotted: str) -> Any:
    value: Any = context
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def missing_keys(spec: NoticeSpec, context: Mapping[str, Any]) -> tuple[str, ...]:
    """Required dotted keys that are absent, None, blank, or empty collections."""
    out = []
    for key in required_keys(spec, context):
        value = _lookup(context, key)
        blank = value is None or (isinstance(value, str) and not value.strip())
        empty = isinstance(value, (list, tuple, dict)) and not value and key not in _MAY_BE_EMPTY
        if blank or empty:
            out.append(key)
    return tuple(out)


_MAY_BE_EMPTY = ("notice.due_today", "notice.due_soon", "notice.overdue")


def _where(exc: BaseException) -> str:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".txt", ".css")) or "@" in frame.filename:
            return f" at {Path(frame.filename).name}:{frame.lineno}"
    return ""


def _template_error(code: str, exc: Exception) -> RenderError:
    if isinstance(exc, UndefinedError):
        m = _ATTR.search(str(exc))
        name = (m.group(1) or m.group(2)) if m else str(exc)
        return RenderError(code, f"missing context value {name!r}{_where(exc)}", missing=(name,))
    if isinstance(exc, NoneValue):
        return RenderError(code, f"a context value used by the template is None{_where(exc)}")
    if isinstance(exc, TemplateNotFound):
        return RenderError(code, f"template not found: {exc.name}")
    return RenderError(code, f"{type(exc).__name__}: {exc}{_where(exc)}")


def _agency_code(context: Mapping[str, Any]) -> str:
    code = _lookup(context, "agency.code")
    return str(code) if code else "default"


def _heading_agency(spec: NoticeSpec, context: Mapping[str, Any]) -> str:
    if spec.audience in ("internal", "caller") or spec.layout != "letter":
        return ""
    return str(_lookup(context, "agency.name") or "")


def _heading(spec: NoticeSpec, context: Mapping[str, Any]) -> str:
    return _heading_agency(spec, context) + spec.title_zh


def _prepare(spec: NoticeSpec, context: Mapping[str, Any], settings: Settings) -> _Prepared:
    missing = missing_keys(spec, context)
    if missing:
        raise RenderError(spec.code, "missing context value(s): " + ", ".join(missing), missing=missing)
    override = settings.templates_override_dir
    env = get_environment(override)
    ctx: dict[str, Any] = dict(context)
    ctx.setdefault("doc_no", "")
    ctx.update(notice_type=spec.code, title=spec.title_zh, heading=_heading(spec, context),
               heading_lines=heading_lines(_heading_agency(spec, context), spec.title_zh),
               signed=spec.signed, layout=spec.layout)
    code = _agency_code(context)
    try:
        body = env.get_template(agency_name(code, spec.body_template)).render(ctx)
        appendix = (env.get_template(agency_name(code, spec.appendix_template)).render(ctx)
                    if spec.appendix_template else "")
    except (TemplateError, NoneValue, KeyError, ValueError, TypeError) as exc:
        raise _template_error(spec.code, exc) from exc
    return _Prepared(spec, ctx, Markup(body), override, Markup(appendix))


def _layout(prep: _Prepared, name: str, extra: Mapping[str, Any]) -> str:
    env = get_environment(prep.override_dir)
    ctx = {**prep.ctx, "body": prep.body, "appendix": prep.appendix, **extra}
    try:
        return env.get_template(agency_name(_agency_code(prep.ctx), name)).render(ctx)
    except (TemplateError, NoneValue, KeyError, ValueError, TypeError) as exc:
        raise _template_error(prep.spec.code, exc) from exc


def _reference(context: Mapping[str, Any]) -> str:
    for key in ("case.tracking_no", "doc_no", "notice.submission_no", "case.order_no", "case.number"):
        value = _lookup(context, key)
        if value:
            return str(value)
    return ""


def filename_for(spec: NoticeSpec, context: Mapping[str, Any], fmt: str) -> str:
    """``政府信息公开申请答复书-依申〔2026〕0001号.pdf`` (characters unsafe in file names removed)."""
    ref = _reference(context)
    stem = f"{spec.title_zh}-{ref}" if ref else spec.title_zh
    stem = _UNSAFE_FILENAME.sub("_", stem).strip(" ._")
    return f"{stem}.{EXTENSIONS[fmt]}"


def _produce(prep: _Prepared, fmt: str, settings: Settings) -> bytes:
    spec = prep.spec
    templates = spec.templates
    if fmt == "html":
        return _layout(prep, templates["html"], {"font_faces": Markup("")}).encode("utf-8")
    if fmt == "pdf":
        from notifications.pdf import font_face_css, html_to_pdf

        html = _layout(prep, templates["pdf"], {"font_faces": font_face_css(settings.fonts_dir)})
        return html_to_pdf(html, fonts_dir=settings.fonts_dir)
    if fmt == "txt":
        extra = {"blocks": prep.blocks, "appendix_blocks": prep.appendix_blocks}
        return _layout(prep, templates["txt"], extra).strip().encode("utf-8") + b"\n"
    if fmt == "docx":
        from notifications.docx_render import render_docx

        loader = get_environment(prep.override_dir).loader
        name = agency_name(_agency_code(prep.ctx), templates["docx"])
        path = loader.find_file(name) if isinstance(loader, AgencyLoader) else DEFAULTS_DIR / templates["docx"]
        try:
            return render_docx(path, prep.ctx, prep.blocks, docx_environment(prep.override_dir),
                               appendix=prep.appendix_blocks)
        except (TemplateError, NoneValue, KeyError, ValueError, TypeError) as exc:
            raise _template_error(spec.code, exc) from exc
    raise UnknownNotice(spec.code, fmt)


def render_many(notice_type: str, context: Mapping[str, Any], formats: tuple[str, ...] | None = None,
                *, settings: Settings | None = None, cache: bool = False) -> dict[str, RenderedDocument]:
    """Render several formats of one notice, rendering the body fragment once. With ``cache`` (the outbox), a PDF
    or DOCX rendered before from the same context, templates and fonts is read back instead of rendered again
    (``notifications.render_cache``)."""
    spec = get_spec(notice_type)
    fmts = spec.formats if formats is None else formats
    for fmt in fmts:
        if fmt not in spec.formats:
            raise UnknownNotice(notice_type, fmt)
    s = settings or get_settings()
    prep = _prepare(spec, context, s)  # also checks the context: a cached document never hides a missing value
    means = render_cache.means_fingerprint(s) if cache and render_cache.CACHED_FORMATS & set(fmts) else ""
    out = {}
    for fmt in fmts:
        key = render_cache.cache_key(notice_type, fmt, context, means) if means and fmt in render_cache.CACHED_FORMATS else None
        data = render_cache.cached(key, s) if key else None
        if data is None:
            data = _produce(prep, fmt, s)
            if key:
                render_cache.remember(key, data, s)
        out[fmt] = RenderedDocument(data, filename_for(spec, context, fmt), CONTENT_TYPES[fmt],
                                    hashlib.sha256(data).hexdigest())
    return out


def render(notice_type: str, context: Mapping[str, Any], fmt: str, *,
           settings: Settings | None = None) -> RenderedDocument:
    """Render one notice in one format (html | pdf | docx | txt)."""
    return render_many(notice_type, context, (fmt,), settings=settings)[fmt]


@dataclass(frozen=True)
class Outline:
    """What a notice says, part by part, for the document linter (notifications.lint_text/lint_layout)."""

    title_units: list[str]
    texts: list[str]  # title, document number, every paragraph and every table cell, the signature
    closing: str | None  # the start of the body's last paragraph (the signature must follow it)
    signature: str | None  # the date under the signature, as printed
    appendix: str | None  # the first line of what follows the signature


def outline(notice_type: str, context: Mapping[str, Any], *, settings: Settings | None = None) -> Outline:
    """The notice's parts as text (no layout)."""
    from states.formats import cn_date

    spec = get_spec(notice_type)
    prep = _prepare(spec, context, settings or get_settings())

    def texts(blocks: list[Block]) -> list[str]:
        out: list[str] = []
        for b in blocks:
            out.extend(c.text for row in b.rows for c in row) if b.kind == "table" else out.append(b.text)
        return out

    body, appendix = texts(prep.blocks), texts(prep.appendix_blocks)
    signature = cn_date(prep.ctx["issued_date"]) if spec.signed and spec.layout == "letter" else None
    head = [prep.ctx["heading"], prep.ctx["doc_no"]]
    tail = [str(_lookup(context, "agency.name")), signature] if signature else []
    closing = next((t for t in reversed(body) if t.strip()), None)
    return Outline(title_units(_heading_agency(spec, context), spec.title_zh),
                   [t for t in [*head, *body, *tail, *appendix] if t], closing[:8] if closing else None, signature,
                   appendix[0][:8] if appendix else None)


def render_subject(notice_type: str, context: Mapping[str, Any], *, settings: Settings | None = None) -> str:
    """The email subject line (plain text, one line)."""
    spec = get_spec(notice_type)
    s = settings or get_settings()
    try:
        text = subject_template(spec.subject, s.templates_override_dir).render(
            {**context, "title": spec.title_zh})
    except (TemplateError, NoneValue, KeyError, ValueError, TypeError) as exc:
        raise _template_error(spec.code, exc) from exc
    return " ".join(str(text).split())
