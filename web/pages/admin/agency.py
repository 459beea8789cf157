"""Admin: the agency's name and settings (AgencyConfig) in human terms — every setting explained where it is
edited; document numbers chosen from patterns with a live preview; the 12345 profile by its Chinese name with its
source; the time from a list; choices as checkboxes and lists, never JSON or codes."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from states.annual_report import ROWS
from states.doc_numbers import LAYOUTS, WIDTHS
from states.roles import ROLE_LABELS, Role
from web.auth import CurrentUser
from web.pages.admin.setup import number_choices, numbers_from_form
from web.pages.common import agency_of
from web.pages.forms import ALL, FieldSpec, errors_by_field, model_fields
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_clock, app_engine, form_str, principal, require
from workflow.agencies.admin import save_agency_settings
from workflow.agencies.checks import DAY_BOUNDS, TEXT_MAX, TEXT_MAX_DEFAULT
from workflow.agencies.config import NUMBER_FIELDS, AgencyConfig
from workflow.agencies.setup import NUMBER_LABELS, TIMEZONES, profile_choices
from workflow.agencies.views import local_calendar_scopes
from workflow.errors import DomainValidation
from workflow.hotline.profile_view import profile_rows
from workflow.kinds import clock_kinds

router = APIRouter(prefix="/agency", include_in_schema=False)
IsAdmin = require(Role.ADMIN)

# field → (section, label, what it does)
LABELS: dict[str, tuple[str, str, str]] = {
    "short_name": ("文书", "机关简称", "文书正文中再次提到本机关时使用；不填则用全称。"),
    "seal_text": ("文书", "印章文字", "文书落款处印章上的文字；不填则用机关全称。"),
    "address": ("文书", "通信地址", "写在回执和告知书上，申请人寄送材料时使用。"),
    "postal_code": ("文书", "邮政编码", ""), "phone": ("文书", "联系电话", "写在回执和告知书上，申请人咨询时拨打。"),
    "email": ("文书", "电子邮箱", ""), "website": ("文书", "网站", ""),
    "office_hours": ("文书", "办公时间", "写在办事指南和回执上，例如“工作日 上午9:00—12:00，下午14:30—18:00”。"),
    "reconsideration_organ": ("救济途径", "行政复议机关",
                              "每份答复书都告知申请人可向它申请行政复议（《中华人民共和国行政复议法》第二十四条）。"),
    "litigation_court": ("救济途径", "行政诉讼管辖法院", "每份答复书都告知申请人可向它提起行政诉讼。"),
    "partial_reconsideration_first": ("救济途径", "部分公开答复中告知：对不予公开部分应当先申请行政复议",
                                      "《中华人民共和国行政复议法》第二十三条第一款第（四）项。"),
    "office_name": ("文书", "政府信息公开工作机构名称", "不填则用机关全称。"),
    "lookup_url": ("文书", "申请人查询网址", "写在回执上，申请人凭查询码查看办理进度。"),
    "mail_attachments": ("文书", "邮件附件格式", "电子邮件送达时随附的文书格式。"),
    "mail_files_limit_mb": ("文书", "随答复邮件附送政府信息的大小上限（MB）", "超过时改为发送下载链接。"),
    "download_link_days": ("文书", "下载链接有效天数", ""),
    "timezone": ("时间", "时间", "期限按这个时间判断“哪一天”。全国统一使用北京时间。"),
    "working_hours": ("时间", "工作时间段", "每行一段，例如 09:00-12:00。用于以小时计的12345时限和提醒发出的时间。"),
    "calendar_scopes": ("时间", "适用的地方节假日安排", "在国务院节假日安排之外，本机关还适用的地方安排（例如民族自治地方的节日）。"),
    "receipt_on_rest_day_rolls_forward": ("依申请公开", "休息日收到的申请自下一个工作日起算", ""),
    "backfill_grace_wd": ("补录", "早于当前多少个工作日的办理步骤算作补录", "补录须填写原因。"),
    "backfill_roles": ("补录", "可以补录的角色", "都不选表示能办理该步骤的人都可以补录。"),
    "correction_notice_wd": ("依申请公开", "补正告知期限（工作日）", "《政府信息公开条例》第三十条：收到申请之日起7个工作日内。"),
    "correction_period_wd": ("依申请公开", "申请人补正期限（工作日）", "告知书中给申请人的补正期限。"),
    "reply_wd": ("依申请公开", "答复期限（工作日）", "条例第三十三条第一款：20个工作日。"),
    "max_extension_wd": ("依申请公开", "最长延期（工作日）", "条例第三十三条第二款：不超过20个工作日。"),
    "consultation_wd": ("依申请公开", "征求意见期限（工作日）", "条例第三十二条：第三方15个工作日内提出意见。"),
    "consultation_pause_starts": ("依申请公开", "征求意见暂停计时起点", ""),
    "fee_payment_wd": ("依申请公开", "缴费期限（工作日）", "国办函〔2020〕109号：20个工作日。"),
    "fee_pauses_reply_clock": ("依申请公开", "缴费期间暂停答复计时", ""),
    "fee_payment_how": ("依申请公开", "缴费方式说明", "印在收费通知上。"), "fee_payee": ("依申请公开", "收款单位", ""),
    "fee_account": ("依申请公开", "收款账号", ""), "fee_bank": ("依申请公开", "开户银行", ""),
    "art35_max_delay_wd": ("依申请公开", "条例第三十五条延迟答复上限（工作日）", "条例未规定上限，由本机关确定。"),
    "reminder_ladder_wd": ("提醒", "到期前几个工作日提醒", "每行一个数，例如 5、3、1、0（0 表示到期当天）。"),
    "supervise_after_wd": ("提醒", "逾期多少个工作日后督办", ""),
    "hour_remind_before_wmin": ("提醒", "按小时计的12345时限：到期前多少分钟（工作时间）提醒", ""),
    "hour_supervise_after_wmin": ("提醒", "按小时计的12345时限：逾期多少分钟（工作时间）后督办", ""),
    "digest_time": ("提醒", "每日汇总发送时间", "例如 08:30。"),
    "hotline_profile": ("12345", "12345热线时限方案", ""),
    # edited by their own widgets on the page (not the generic fields)
    "tracking_format": ("文书编号", NUMBER_LABELS["tracking_format"], "字头、样式和序号位数，示例随选择变化。"),
    "reply_doc_format": ("文书编号", NUMBER_LABELS["reply_doc_format"], ""),
    "notice_doc_format": ("文书编号", NUMBER_LABELS["notice_doc_format"], ""),
    "submission_format": ("文书编号", NUMBER_LABELS["submission_format"], ""),
    "report_row_overrides": ("依申请公开", "年度报告中“已经主动公开”的答复计入的行", "各地统计口径不一。"),
    "reminder_ladders_wd": ("提醒", "按时限种类分别提醒", "用顿号或逗号隔开的工作日数。"),
    "hotline_overrides": ("12345", "本机关对时限方案的调整", "通过接口修改；本页列出。"),
}
OPTIONS = {"consultation_pause_starts": (("dispatch", "发出征求意见书之日"), ("receipt", "对方收到之日")),
           "timezone": tuple(TIMEZONES.items()),
           "mail_attachments": (("pdf", "PDF（便于打印，推荐）"), ("docx", "Word 文档（可编辑）")),
           "backfill_roles": tuple((str(r), ROLE_LABELS[r]) for r in (Role.FRONT_DESK, Role.OFFICER, Role.LEADER))}
MULTI = ("mail_attachments", "backfill_roles", "calendar_scopes")
SPECIAL = (*NUMBER_FIELDS, "report_row_overrides", "reminder_ladders_wd", "hotline_overrides")
ALREADY_PUBLIC = "disclose.already_public"  # the one row rules.md §3.3 leaves to the agency (UNCONFIRMED)
_NUMBERS = re.compile(r"\d+")


def fields(request: Request) -> list[FieldSpec]:
    out = []
    scopes = tuple(local_calendar_scopes(app_engine(request)))
    for f in model_fields(AgencyConfig, skip=SPECIAL):
        _section, label, help_ = LABELS.get(f.name, ("其他", f.name, ""))
        opts = OPTIONS.get(f.name, f.options)
        kind = f.kind
        if f.name in MULTI:
            kind, opts = "multi", scopes if f.name == "calendar_scopes" else opts
        elif f.name in OPTIONS:
            kind = "select"
        if f.name == "hotline_profile":
            kind, opts = "select", tuple((p.code, p.name) for p in profile_choices())
        if f.name == "calendar_scopes" and not scopes:
            help_ = "尚未导入地方节假日安排；导入后（“节假日安排”页面）可在这里选择。"
        lo, hi = DAY_BOUNDS[f.name][:2] if f.name in DAY_BOUNDS else (f.minimum, f.maximum)
        maxlength = f.maxlength or (TEXT_MAX.get(f.name, TEXT_MAX_DEFAULT) if kind in ("text", "textarea") else None)
        out.append(FieldSpec(f.name, label, kind, False, opts, help_, lo, hi, maxlength,
                             {"data-basis-target": "profile-basis"} if f.name == "hotline_profile" else {}))
    return out


def _placed(request: Request, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each message at the input that edits its setting (a clock kind's reminders at its own box); a setting this
    page does not edit (12345 adjustments, made through the API) is named in the message above the form."""
    inputs = {"name", "report_row_overrides", *NUMBER_FIELDS, *(f.name for f in fields(request)),
              *(f"ladder_{k}" for k, v in clock_kinds().items() if v.reminders)}
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        target = key.replace("reminder_ladders_wd.", "ladder_", 1)
        if target in inputs or target == ALL:
            out.setdefault(target, []).extend(messages)
        else:
            label = LABELS.get(key.split(".")[0], ("", "设置", ""))[1]
            out.setdefault(ALL, []).extend(f"{label}：{m}" for m in messages)
    return out


def _sections(request: Request) -> list[tuple[str, list[FieldSpec]]]:
    by: dict[str, list[FieldSpec]] = {}
    for f in fields(request):
        by.setdefault(LABELS.get(f.name, ("其他", "", ""))[0], []).append(f)
    return list(by.items())


def _values(agency_name: str, cfg: AgencyConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"name": agency_name}
    for k, v in cfg.model_dump(mode="json").items():
        if isinstance(v, bool):
            out[k] = "on" if v else ""
        elif k in MULTI:
            out[k] = list(v)
        elif isinstance(v, list):
            out[k] = "\n".join(str(x) for x in v)
        elif not isinstance(v, dict):
            out[k] = str(v)
    out["already_public_row"] = cfg.report_row_overrides.get(ALREADY_PUBLIC, "")
    for kind, ladder in cfg.reminder_ladders_wd.items():
        out[f"ladder_{kind}"] = "、".join(str(x) for x in ladder)
    return out


def _row_options() -> list[tuple[str, str]]:
    return [(r.key, r.label) for r in ROWS["2021"] if r.key.startswith("3.") and r.key != "3.7"]


def _page(request: Request, values: dict[str, Any], errors: dict[str, list[str]], cfg: AgencyConfig,
          status: int = 200) -> Response:
    defaults = AgencyConfig()
    numbers = {f: number_choices(str(getattr(cfg, f)), getattr(defaults, f)) for f in NUMBER_FIELDS}
    for f in NUMBER_FIELDS:
        for part in ("prefix", "layout", "width"):
            if f"{f}_{part}" in values:
                numbers[f][part] = values[f"{f}_{part}"]
    profiles = profile_choices()
    return render(request, "admin/agency.html", {
        "sections": _sections(request), "values": values, "errors": errors, "numbers": numbers,
        "number_labels": NUMBER_LABELS, "layouts": [(k, v[0]) for k, v in LAYOUTS.items()],
        "widths": list(WIDTHS.items()), "row_options": _row_options(),
        "ladder_kinds": [(k, v.label) for k, v in clock_kinds().items() if v.reminders],
        "profile_basis": next((p.basis for p in profiles if p.code == cfg.hotline_profile), ""),
        "profile_bases": {p.code: p.basis for p in profiles},
        "overrides": _overrides_text(cfg.hotline_overrides),
        # every value of the profile with its source and how sure that is (administrators only)
        "profile_name": profile_rows(cfg)[0], "profile_rows": profile_rows(cfg)[1]}, status=status)


def _overrides_text(overrides: dict[str, Any]) -> list[str]:
    """The agency's adjustments to its 12345 profile, one readable line each."""
    lines = []
    for key, value in sorted(overrides.items()):
        lines.append(f"{key}：{value}" if not isinstance(value, dict) else f"{key}：{len(value)}项调整")
    return lines


@router.get("")
def agency(request: Request, user: CurrentUser = IsAdmin) -> Response:
    ag, cfg = agency_of(request, user)
    return _page(request, _values(ag.name, cfg), {}, cfg)


def _ladders(form: FormData, errors: dict[str, list[str]]) -> dict[str, list[int]]:
    out = {}
    for kind, spec in clock_kinds().items():
        text = form_str(form, f"ladder_{kind}")
        if not spec.reminders or not text:
            continue
        if re.search(r"[^\d、,，\s]", text):
            errors[f"ladder_{kind}"] = ["只能填写数字，用顿号或逗号隔开，例如 5、1、0"]
            continue
        out[kind] = [int(n) for n in _NUMBERS.findall(text)]
    return out


@router.post("")
def save(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    _, current = agency_of(request, user)
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in fields(request):
        text = form_str(form, f.name)
        if f.kind not in ("checkbox", "multi") and f.name not in form:
            data[f.name] = getattr(current, f.name)  # not on the posted form: the value in force stays
        elif f.kind == "checkbox":
            data[f.name] = f.name in form
        elif f.kind == "multi":
            data[f.name] = values[f.name] = [v for v in form.getlist(f.name) if isinstance(v, str)]
        elif f.kind == "lines":
            data[f.name] = [ln.strip() for ln in text.splitlines() if ln.strip()]
        elif f.kind in ("number", "select") and not text:
            continue
        else:
            data[f.name] = text
    data.update(numbers_from_form(form, errors))
    data["reminder_ladders_wd"] = _ladders(form, errors)
    rows = dict(current.report_row_overrides)
    row = form_str(form, "already_public_row")
    if row:
        rows[ALREADY_PUBLIC] = row
    else:
        rows.pop(ALREADY_PUBLIC, None)
    data["report_row_overrides"] = rows
    data["hotline_overrides"] = current.hotline_overrides  # adjusted through the API; kept as they are
    try:
        cfg = AgencyConfig.model_validate(data)
    except ValidationError as exc:
        errors.update(errors_by_field(exc))
        cfg = current
    if errors:
        return _page(request, values, _placed(request, errors), current, status=422)
    try:
        save_agency_settings(app_engine(request), user.agency_id, name=form_str(form, "name"), cfg=cfg,
                             actor=principal(user), now=app_clock(request).now())
    except DomainValidation as exc:
        return _page(request, values, _placed(request, errors_by_field(exc)), current, status=422)
    return redirect(request, "/admin/agency", ("ok", "机关设置已保存"))
