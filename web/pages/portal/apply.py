"""The agency's 依申请公开 column (no login): the disclosure guide, the application form, online submission.

``/gongkai`` is the default agency's guide; every page lives under ``/gongkai/{agency_code}``. Submitting
creates no account and no session: the submission number and query code are shown once (and emailed).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from notifications.errors import NoticeError
from notifications.render import render as render_notice
from states.fees import item_rate, page_bands
from states.identity import ID_TYPES
from web import held_uploads
from web.deps import client_ip, public_limits
from web.pages.common import now
from web.pages.forms import FieldSpec, errors_by_field, model_fields, payload_from_form, typed_values
from web.pages.labels import FIELD_LABELS, HELP
from web.pages.portal.common import portal_agency, portal_ctx
from web.pages.render import read_flash, redirect, render
from web.pages.session import AnonUploadForm, PageError, anon_csrf, app_engine, app_settings
from web.uploads import read_uploads
from workflow.disclosure.payloads import OnlineSubmissionIn
from workflow.errors import DomainValidation, NotFound, TooManyAttempts
from workflow.portal import challenge
from workflow.portal.online import check_application, submit_checked
from workflow.portal.submissions import FILES_FIELD, MAX_FILES
from workflow.timesource import local_date

router = APIRouter(include_in_schema=False)
FORMATS = {"docx": "docx", "pdf": "pdf"}


def _guide(request: Request, code: str | None) -> Response:
    agency, cfg = portal_agency(request, code)
    fees = {"items": [("第1—10件", item_rate(1)), ("第11—30件", item_rate(11)), ("第31—40件", item_rate(31)),
                      ("第41—50件", item_rate(41))], "pages": page_bands()}
    return render(request, "portal/guide.html", {"portal": portal_ctx(agency, cfg, "guide"), "cfg": cfg,
                                                 "agency": agency, "fees": fees})


@router.get("/gongkai")
def default_guide(request: Request) -> Response:
    return _guide(request, None)


@router.get("/gongkai/{code}")
def guide(request: Request, code: str) -> Response:
    return _guide(request, code)


@router.get("/gongkai/{code}/shenqingbiao.{fmt}")
def application_form(request: Request, code: str, fmt: str) -> Response:
    """The blank application form with the agency's data, rendered by the notices machinery."""
    if fmt not in FORMATS:
        raise PageError(404, "仅提供 DOCX 和 PDF 格式的申请表")
    agency, cfg = portal_agency(request, code)
    snapshot = agency.form_context
    context = {"agency": snapshot, "issued_date": local_date(now(request), cfg.timezone).isoformat()}
    if snapshot["missing"]:  # never a form with a placeholder agency on it
        raise PageError(503, "本机关的申请表正在准备中，暂时不能下载。您可以直接在网上提交申请，或到受理窗口领取申请表。",
                        "暂时无法下载")
    try:
        doc = render_notice("disclosure.application_form", context, FORMATS[fmt], settings=app_settings(request))
    except NoticeError as exc:
        raise PageError(503, "申请表暂时无法生成，请稍后再试或到受理窗口领取", "暂时无法下载") from exc
    name = f"{agency.name}{doc.filename}"
    return Response(doc.content, media_type=doc.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "X-Content-Type-Options": "nosniff"})


# ------------------------------------------------------------------ online application


def apply_fields() -> list[FieldSpec]:
    overrides = {
        "id_type": FieldSpec("id_type", FIELD_LABELS["id_type"], "select", True, tuple(ID_TYPES.items())),
        "id_number": FieldSpec("id_number", FIELD_LABELS["id_number"], "text", True, help=HELP["id_number"],
                               maxlength=64, attrs={"autocomplete": "off", "spellcheck": "false"}),
        "email": FieldSpec("email", FIELD_LABELS["email"], "text", True, help=HELP["OnlineSubmissionIn.email"],
                           maxlength=254, attrs={"autocomplete": "email", "inputmode": "email"}),
        "phone": FieldSpec("phone", FIELD_LABELS["phone"], "text", False, maxlength=40,
                           attrs={"autocomplete": "tel", "inputmode": "tel"}),
    }
    return model_fields(OnlineSubmissionIn, overrides=overrides)


def _apply_page(request: Request, code: str, values: dict[str, str], errors: dict[str, list[str]],
                status: int = 200, passed: tuple[str, str] | None = None, reselect: bool = False,
                kept: tuple[str, list[str]] = ("", [])) -> Response:
    """The form; ``passed`` (token, answer): a challenge answered right, kept while other fields are fixed."""
    agency, cfg = portal_agency(request, code, applying=True)
    ch = None if passed else challenge.issue(request.app.state.web_secret, now(request))
    specs = apply_fields()
    return render(request, "portal/apply.html", {
        "portal": portal_ctx(agency, cfg, "apply"), "cfg": cfg, "f": {s.name: s for s in specs}, "values": values,
        "errors": errors, "challenge": ch, "passed": passed, "reselect": reselect, "max_files": MAX_FILES,
        "held_token": kept[0], "held_names": kept[1],
        "max_mb": app_settings(request).max_upload_bytes // (1024 * 1024)}, status=status)


@router.get("/gongkai/{code}/shenqing")
def apply_form(request: Request, code: str) -> Response:
    portal_agency(request, code, applying=True)
    anon_csrf(request)
    values = {"applicant_type": "natural", "applicant_category": "natural", "id_type": "resident_id",
              "form_wanted": "electronic", "obtain_way": "email"}
    return _apply_page(request, code, values, {})


@router.post("/gongkai/{code}/shenqing")
def apply(request: Request, code: str, form: AnonUploadForm) -> Response:
    """The checks and the submission of workflow.portal.online, as the API's; the form comes back with every problem
    at its field, the files that passed kept, and a right answer kept while the other fields are fixed."""
    agency, cfg = portal_agency(request, code, applying=True)
    settings = app_settings(request)
    engine, at, ip, limits = app_engine(request), now(request), client_ip(request), public_limits(request)
    values = {k: v for k, v in typed_values(form).items() if not k.startswith("challenge")}
    files = read_uploads(form.getlist(FILES_FIELD), settings.max_upload_bytes)
    held = str(form.get(held_uploads.FIELD) or "")
    if not files:  # nothing chosen this time: the files kept from the form's last round
        files = held_uploads.held(settings.var_dir, held)
    token, answer = str(form.get("challenge_token") or ""), str(form.get(challenge.FIELD) or "")
    try:
        checked = check_application(engine, payload_from_form(apply_fields(), form, tz=cfg.timezone), files,
                                    token=token, answer=answer, secret=request.app.state.web_secret, ip=ip, now=at,
                                    settings=settings, limits=limits)
    except TooManyAttempts as exc:
        raise PageError(429, exc.message) from exc
    if not checked.ready:
        kept = held_uploads.hold(settings.var_dir, files) if files and checked.files_ok else ""
        return _apply_page(request, code, values, errors_by_field(checked.problems), status=422,
                           passed=(token, answer) if checked.nonce else None, reselect=bool(files) and not kept,
                           kept=(kept, [n for n, _ in files] if kept else []))
    try:
        sub = submit_checked(engine, checked, files, agency_code=agency.code, ip=ip, now=at, settings=settings,
                             limits=limits)
    except TooManyAttempts as exc:
        raise PageError(429, exc.message) from exc
    except DomainValidation as exc:
        return _apply_page(request, code, values, errors_by_field(exc), status=422)
    except NotFound as exc:
        raise PageError(404, exc.message) from exc
    held_uploads.release(settings.var_dir, held)
    assert checked.data is not None
    done = {"no": sub.submission_no, "code": sub.query_code, "email": checked.data.email, "duplicate": sub.duplicate}
    return redirect(request, portal_ctx(agency, cfg, "")["base"] + "/shenqing/wancheng", extra={"submitted": done})


@router.get("/gongkai/{code}/shenqing/wancheng")
def done(request: Request, code: str) -> Response:
    """The submission number and query code, shown once (the flash is gone after this page)."""
    agency, cfg = portal_agency(request, code)
    submitted: dict[str, Any] = read_flash(request).get("submitted") or {}
    return render(request, "portal/done.html", {"portal": portal_ctx(agency, cfg, "apply"), "cfg": cfg,
                                                "submitted": submitted})
