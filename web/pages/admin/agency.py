"""Admin: the agency's name and settings (AgencyConfig), validated, with Chinese labels."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from states.roles import Role
from web.auth import CurrentUser
from web.pages.common import agency_of
from web.pages.forms import FieldSpec, errors_by_field, model_fields, typed_values
from web.pages.render import redirect, render
from web.pages.session import StaffForm, app_clock, app_engine, form_str, principal, require
from workflow.agencies.admin import save_agency_settings
from workflow.agencies.config import AgencyConfig
from workflow.errors import DomainValidation
from workflow.hotline.profile_view import profile_choices, profile_rows

router = APIRouter(prefix="/agency", include_in_schema=False)
IsAdmin = require(Role.ADMIN)

LABELS: dict[str, tuple[str, str]] = {  # field → (section, label)
    "short_name": ("文书", "机关简称"), "seal_text": ("文书", "印章文字"), "address": ("文书", "地址"),
    "postal_code": ("文书", "邮政编码"), "phone": ("文书", "联系电话"), "email": ("文书", "电子邮箱"),
    "website": ("文书", "网站"), "office_hours": ("文书", "办公时间"),
    "reconsideration_organ": ("文书", "行政复议机关"), "litigation_court": ("文书", "管辖法院"),
    "partial_reconsideration_first": ("文书", "部分公开答复中告知：对不予公开部分应当先申请行政复议"),
    "tracking_format": ("编号", "受理编号格式"), "reply_doc_format": ("编号", "答复书文号格式"),
    "notice_doc_format": ("编号", "告知书文号格式"), "submission_format": ("编号", "网上申请编号格式"),
    "timezone": ("时间", "时区"), "working_hours": ("时间", "工作时间段（每行一段，如 09:00-12:00）"),
    "calendar_scopes": ("时间", "地方节假日范围代码（每行一个）"),
    "receipt_on_rest_day_rolls_forward": ("依申请公开", "休息日收到的申请自下一工作日起算"),
    "backfill_grace_wd": ("补录", "早于当前多少个工作日的办理步骤算作补录（须填写补录原因）"),
    "backfill_roles": ("补录", "可以补录的角色（都不选：能办理该步骤的人均可补录）"),
    "correction_notice_wd": ("依申请公开", "补正告知期限（工作日，条例第三十条）"),
    "correction_period_wd": ("依申请公开", "申请人补正期限（工作日）"),
    "reply_wd": ("依申请公开", "答复期限（工作日，条例第三十三条）"),
    "max_extension_wd": ("依申请公开", "最长延期（工作日，不超过20）"),
    "consultation_wd": ("依申请公开", "征求意见期限（工作日）"),
    "consultation_pause_starts": ("依申请公开", "征求意见暂停计时起点"),
    "fee_payment_wd": ("依申请公开", "缴费期限（工作日）"),
    "fee_pauses_reply_clock": ("依申请公开", "缴费期间暂停答复计时"),
    "fee_payment_how": ("依申请公开", "缴费方式说明"), "fee_payee": ("依申请公开", "收款单位"),
    "fee_account": ("依申请公开", "收款账号"), "fee_bank": ("依申请公开", "开户银行"),
    "office_name": ("文书", "政府信息公开工作机构名称"), "lookup_url": ("文书", "申请人查询网址"),
    "mail_attachments": ("文书", "邮件附件格式（每行一个：pdf 或 docx）"),
    "mail_files_limit_mb": ("文书", "随答复邮件附送政府信息的大小上限（MB，超过时改发下载链接）"),
    "download_link_days": ("文书", "下载链接有效天数"),
    "art35_max_delay_wd": ("依申请公开", "条例第三十五条延迟答复上限（工作日）"),
    "report_row_overrides": ("依申请公开", "年度报告行号调整（JSON）"),
    "reminder_ladder_wd": ("提醒", "到期前提醒（工作日，每行一个）"),
    "reminder_ladders_wd": ("提醒", "按时限种类的提醒（JSON，格式见系统文档；留空则都按上一项）"),
    "supervise_after_wd": ("提醒", "逾期多少个工作日后督办"),
    "hour_remind_before_wmin": ("提醒", "按小时计的12345时限：到期前多少分钟工作时间提醒"),
    "hour_supervise_after_wmin": ("提醒", "按小时计的12345时限：超期多少分钟工作时间后督办"),
    "digest_time": ("提醒", "每日汇总发送时间"),
    "hotline_profile": ("12345", "时限方案"), "hotline_overrides": ("12345", "时限方案调整（JSON）"),
}
OPTIONS = {"consultation_pause_starts": (("dispatch", "发出征求意见书之日"), ("receipt", "对方收到之日")),
           "backfill_roles": ((Role.FRONT_DESK.value, "前台"), (Role.OFFICER.value, "承办人"), (Role.LEADER.value, "负责人"))}
CHOICE_FIELDS = {"backfill_roles": "multi", "hotline_profile": "select"}  # typed as text or lines, chosen from a list
JSON_FIELDS = ("report_row_overrides", "hotline_overrides", "reminder_ladders_wd")


def fields() -> list[FieldSpec]:
    out = []
    for f in model_fields(AgencyConfig):
        label = LABELS.get(f.name, ("其他", f.name))[1]
        opts = tuple(profile_choices()) if f.name == "hotline_profile" else OPTIONS.get(f.name, f.options)
        kind = CHOICE_FIELDS.get(f.name, f.kind)
        help_ = "" if f.name in CHOICE_FIELDS else f.help
        out.append(FieldSpec(f.name, label, kind, False, opts, help_, f.minimum, f.maximum, f.maxlength))
    out.extend(FieldSpec(n, LABELS[n][1], "textarea", False) for n in JSON_FIELDS)
    return out


def _sections() -> list[tuple[str, list[FieldSpec]]]:
    by: dict[str, list[FieldSpec]] = {}
    for f in fields():
        by.setdefault(LABELS.get(f.name, ("其他", ""))[0], []).append(f)
    return list(by.items())


def _values(agency_name: str, cfg: AgencyConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"name": agency_name}
    for k, v in cfg.model_dump(mode="json").items():
        if CHOICE_FIELDS.get(k) == "multi":
            out[k] = [str(x) for x in v]
        elif isinstance(v, bool):
            out[k] = "on" if v else ""
        elif isinstance(v, list):
            out[k] = "\n".join(str(x) for x in v)
        elif isinstance(v, dict):
            out[k] = json.dumps(v, ensure_ascii=False, indent=1) if v else ""
        else:
            out[k] = str(v)
    return out


def _page(request: Request, values: dict[str, Any], errors: dict[str, list[str]], status: int = 200,
          cfg: AgencyConfig | None = None) -> Response:
    name, rows = profile_rows(cfg) if cfg is not None else ("", [])
    return render(request, "admin/agency.html", {"sections": _sections(), "values": values, "errors": errors,
                                                 "profile_name": name, "profile_rows": rows}, status=status)


@router.get("")
def agency(request: Request, user: CurrentUser = IsAdmin) -> Response:
    ag, cfg = agency_of(request, user)
    return _page(request, _values(ag.name, cfg), {}, cfg=cfg)


@router.post("")
def save(request: Request, form: StaffForm, user: CurrentUser = IsAdmin) -> Response:
    values: dict[str, Any] = typed_values(form)
    values.update({n: [str(v) for v in form.getlist(n)] for n, k in CHOICE_FIELDS.items() if k == "multi"})
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in fields():
        text = form_str(form, f.name)
        if f.kind == "checkbox":
            data[f.name] = f.name in form
        elif f.kind == "multi":
            data[f.name] = [str(v) for v in form.getlist(f.name)]
        elif f.name in JSON_FIELDS:
            try:
                data[f.name] = json.loads(text) if text else {}
            except json.JSONDecodeError:
                errors[f.name] = ["应为 JSON 对象，例如 {\"disclose.already_public\": \"3.1\"}"]
        elif f.kind == "lines":
            data[f.name] = [ln.strip() for ln in text.splitlines() if ln.strip()]
        elif f.kind in ("number", "select") and not text:
            continue
        else:
            data[f.name] = text
    try:
        cfg = AgencyConfig.model_validate(data)
    except ValidationError as exc:
        errors.update(errors_by_field(exc))
    if errors:
        return _page(request, values, errors, status=422)
    try:
        save_agency_settings(app_engine(request), user.agency_id, name=form_str(form, "name"), cfg=cfg,
                             actor=principal(user), now=app_clock(request).now())
    except DomainValidation as exc:
        return _page(request, values, errors_by_field(exc), status=422)
    return redirect(request, "/admin/agency", ("ok", "机关设置已保存"))
