"""Agency administration API: the instance administrator creates, edits, moves and deactivates agencies and sets
up their administrators; an agency's administrator reads and edits only its own agency's settings and users.

``GET/POST /api/admin/agencies``, ``GET/PATCH /api/admin/agencies/{code}``,
``POST /api/admin/agencies/{code}/deactivate|activate``, ``POST /api/admin/agencies/{code}/users``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import ConfigDict, Field, ValidationError, create_model

from states.agencies import AgencyKind
from states.policy import may_administer, may_manage_agencies
from states.roles import Role
from web.api.schemas import ERRORS, ApiOut
from web.auth import CurrentUser
from web.deps import EngineDep, NowDep, require_roles
from web.errors import ApiError
from workflow.accounts import memberships
from workflow.accounts.users import checked_roles, create_user
from workflow.agencies import registry
from workflow.agencies.admin import check_settings, save_agency_settings
from workflow.agencies.config import AgencyConfig
from workflow.agencies.views import agency_detail, agency_id_of, name_and_config
from workflow.errors import DomainValidation
from workflow.input_errors import field_errors
from workflow.inputs import Clean

router = APIRouter(prefix="/api/admin/agencies", tags=["agencies"], responses=ERRORS)
Admin = Annotated[CurrentUser, Depends(require_roles(Role.ADMIN, Role.INSTANCE_ADMIN))]


class AgencyCreate(Clean):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=64, description="机关代码：小写英文字母、数字、短横线")
    name: str = Field(max_length=200, description="机关全称")
    parent: str | None = Field(None, description="上级机关代码")
    kind: AgencyKind | None = Field(None, description="government（人民政府）/ department（政府工作部门）/ other；省略时按名称判断")


class AgencyPatch(Clean):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    kind: AgencyKind | None = None
    parent: str | None = Field(None, description="新的上级机关代码；空字符串表示没有上级机关")
    settings: dict[str, Any] | None = Field(
        None, description="要修改的机关设置（其余保持不变）；有一项不能使用时都不修改（422，字段为 settings.设置项）")


class UserCreate(Clean):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)
    roles: list[str] = Field(min_length=1)
    display_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    unit: str | None = Field(None, max_length=200)


if TYPE_CHECKING:
    AgencySettingsOut = AgencyConfig
else:  # every setting, always answered (AgencyConfig's fields, without their input defaults)
    AgencySettingsOut = create_model(
        "AgencySettingsOut", __base__=ApiOut, __doc__="机关的全部设置（每一项都会返回）",
        **{name: (f.annotation, Field(description=f.description)) for name, f in AgencyConfig.model_fields.items()})


class AgencySummaryOut(ApiOut):
    """机关列表中的一个机关（按上下级顺序）"""

    code: str
    name: str
    kind: str = Field(description="government 人民政府 / department 政府工作部门 / other 其他")
    depth: int = Field(description="在上下级中的层级（0 为最上级）")
    parent_name: str | None
    active: bool
    users: int = Field(description="用户数")
    open_disclosures: int = Field(description="未办结的依申请公开申请数")
    open_workorders: int = Field(description="未办结的12345工单数")


class MissingSettingOut(ApiOut):
    field: str = Field(description="设置项")
    label: str = Field(description="设置项名称")


class RemedyProposalOut(ApiOut):
    """按机关在上下级中的位置建议的行政复议机关和管辖法院（行政复议法第二十四条、行政诉讼法第十四条、第十八条）"""

    reconsideration_organ: str
    litigation_court: str
    basis: str = Field(description="依据说明")


class AgencyOut(ApiOut):
    code: str
    name: str
    kind: str = Field(description="government 人民政府 / department 政府工作部门 / other 其他")
    kind_label: str
    parent: str | None = Field(description="上级机关代码")
    parent_name: str | None
    children: list[str] = Field(description="下级机关代码")
    active: bool
    deactivated_at: str | None
    users: int
    open_disclosures: int
    open_workorders: int
    settings: AgencySettingsOut
    missing_notice_settings: list[MissingSettingOut] = Field(description="文书所需、尚未填写的设置")
    remedy_proposal: RemedyProposalOut | None = Field(description="建议的行政复议机关和管辖法院（无上级机关时为 null）")


class UserCreatedOut(ApiOut):
    id: int
    username: str
    display_name: str
    agency: str = Field(description="机关代码")
    roles: list[str]


class MemberOut(ApiOut):
    username: str
    agency: str = Field(description="兼任的机关代码")
    roles: list[str] = Field(description="在该机关的角色")


class MemberListedOut(ApiOut):
    username: str
    display_name: str
    home_agency: str = Field(description="本人所在机关的名称")
    roles: list[str] = Field(description="在本机关的角色")


class MemberRemovedOut(ApiOut):
    username: str
    agency: str
    removed: bool


def _forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def _view(engine: Any, code: str) -> dict[str, Any]:
    d = agency_detail(engine, code)
    return {
        "code": d.code, "name": d.name, "kind": d.kind, "kind_label": d.kind_label,
        "parent": d.parent.code if d.parent else None, "parent_name": d.parent.name if d.parent else None,
        "children": [n.code for n in d.children],
        "active": d.active, "deactivated_at": d.deactivated_at.isoformat() if d.deactivated_at else None,
        "users": len(d.users), "open_disclosures": d.work.disclosures, "open_workorders": d.work.workorders,
        "settings": d.cfg.model_dump(mode="json"),
        "missing_notice_settings": [{"field": m.key, "label": m.label} for m in d.missing],
        "remedy_proposal": None if d.proposal is None else {
            "reconsideration_organ": d.proposal.reconsideration_organ,
            "litigation_court": d.proposal.litigation_court, "basis": d.proposal.basis},
    }


def _agency_id(engine: Any, code: str) -> int:
    return agency_id_of(engine, code)


def _check_admin_of(user: CurrentUser, agency_id: int) -> None:
    if not may_administer(user.principal().actor, agency_id):
        raise _forbidden("您只能管理本机关的设置和用户；其他机关请由其机关管理员或平台管理员办理")


@router.get("", summary="机关列表（按上下级排列；机关管理员只看到本机关）", response_model=list[AgencySummaryOut],
            response_description="机关列表")
def list_agencies(engine: EngineDep, user: Admin) -> list[dict[str, Any]]:
    rows = registry.list_agencies(engine)
    if not may_manage_agencies(user.principal().actor):
        rows = [r for r in rows if r.node.id == user.agency_id]
    return [{"code": r.node.code, "name": r.node.name, "kind": r.node.kind.value, "depth": r.depth,
             "parent_name": r.parent_name or None, "active": r.node.active, "users": r.users,
             "open_disclosures": r.open_disclosures, "open_workorders": r.open_workorders} for r in rows]


@router.post("", status_code=201, summary="新建机关（平台管理员）", response_model=AgencyOut,
             response_description="新建的机关")
def create(body: AgencyCreate, engine: EngineDep, now: NowDep, user: Admin) -> dict[str, Any]:
    a = registry.create_agency(engine, code=body.code, name=body.name, parent_code=body.parent,
                               kind=body.kind.value if body.kind else None, actor=user.principal(), now=now)
    return _view(engine, a.code)


@router.get("/{code}", summary="机关详情：上下级、未办结案件、设置、尚缺的文书设置、建议的救济机关",
            response_model=AgencyOut, response_description="机关详情")
def show(code: str, engine: EngineDep, user: Admin) -> dict[str, Any]:
    _check_admin_of(user, _agency_id(engine, code))
    return _view(engine, code)


@router.patch("/{code}", summary="修改机关：名称和设置（本机关管理员）；类别和上级机关（平台管理员）",
              response_model=AgencyOut, response_description="修改后的机关")
def edit(code: str, body: AgencyPatch, engine: EngineDep, now: NowDep, user: Admin) -> dict[str, Any]:
    agency_id = _agency_id(engine, code)
    _check_admin_of(user, agency_id)
    actor = user.principal()
    saving = body.settings is not None or body.name is not None
    if saving:  # refused before anything is written, the kind and parent included
        current_name, current = name_and_config(engine, agency_id)
        name = body.name if body.name is not None else current_name
        cfg = _settings(current, body.settings or {})
        with _at_settings():
            check_settings(agency_id, name, cfg, actor, before=current)
    if body.kind is not None or body.parent is not None:
        registry.update_agency(engine, code, kind=body.kind.value if body.kind else None,
                               parent_code=registry.KEEP if body.parent is None else body.parent,
                               actor=actor, now=now)
    if saving:
        with _at_settings():
            save_agency_settings(engine, agency_id, name=name, cfg=cfg, actor=actor, now=now)
    return _view(engine, code)


def _in_settings(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems of the settings at their place in the request body (``settings.reply_wd``; the name stays)."""
    return [{**f, "field": f["field"] if f["field"] in ("name", "") else f"settings.{f['field']}"} for f in fields]


def _settings(current: AgencyConfig, changes: dict[str, Any]) -> AgencyConfig:
    """The settings in force with the request's changes (their shapes checked, at ``settings.<key>``)."""
    try:
        return AgencyConfig.model_validate({**current.model_dump(mode="json"), **changes})
    except ValidationError as exc:
        raise DomainValidation(_in_settings(field_errors(exc.errors()))) from exc


@contextmanager
def _at_settings() -> Iterator[None]:
    try:
        yield
    except DomainValidation as exc:
        raise DomainValidation(_in_settings(exc.fields), exc.message) from exc


@router.post("/{code}/deactivate", summary="停用机关（有未办结案件时拒绝，说明原因；不删除任何记录）",
             response_model=AgencyOut, response_description="已停用的机关")
def deactivate(code: str, engine: EngineDep, now: NowDep, user: Admin) -> dict[str, Any]:
    registry.set_agency_active(engine, code, False, actor=user.principal(), now=now)
    return _view(engine, code)


@router.post("/{code}/activate", summary="重新启用机关", response_model=AgencyOut,
             response_description="已启用的机关")
def activate(code: str, engine: EngineDep, now: NowDep, user: Admin) -> dict[str, Any]:
    registry.set_agency_active(engine, code, True, actor=user.principal(), now=now)
    return _view(engine, code)


@router.post("/{code}/users", status_code=201, summary="为机关创建用户（平台管理员可为任何机关设立机关管理员）",
             response_description="新建的用户")
def create_agency_user(code: str, body: UserCreate, engine: EngineDep, now: NowDep, user: Admin) -> UserCreatedOut:
    _check_admin_of(user, _agency_id(engine, code))
    u = create_user(engine, agency_code=code, username=body.username, password=body.password, roles=body.roles,
                    display_name=body.display_name, now=now, email=body.email, unit_name=body.unit,
                    actor=user.principal())
    assert u.id is not None
    return UserCreatedOut(id=u.id, username=u.username, display_name=u.display_name, agency=code,
                          roles=sorted(checked_roles(body.roles)))


class MemberIn(Clean):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64, description="另一机关人员的用户名")
    roles: list[str] = Field(min_length=1, description="在本机关的角色")


@router.post("/{code}/members", status_code=201, summary="让另一机关的人员在本机关兼任（角色如承办人、监督员）",
             response_description="兼任已设立")
def add_member(code: str, body: MemberIn, engine: EngineDep, now: NowDep, user: Admin) -> MemberOut:
    _check_admin_of(user, _agency_id(engine, code))
    m = memberships.grant(engine, username=body.username, agency_code=code, roles=body.roles, actor=user.principal(),
                          now=now)
    return MemberOut(username=body.username, agency=code, roles=sorted(m.roles))


@router.get("/{code}/members", summary="在本机关兼任的其他机关人员", response_description="兼任人员")
def list_members(code: str, engine: EngineDep, user: Admin) -> list[MemberListedOut]:
    agency_id = _agency_id(engine, code)
    _check_admin_of(user, agency_id)
    return [MemberListedOut(username=m.username, display_name=m.display_name, home_agency=m.home_agency,
                            roles=sorted(m.roles)) for m in memberships.members_of(engine, agency_id)]


@router.delete("/{code}/members/{username}", summary="取消兼任", response_description="兼任已取消")
def remove_member(code: str, username: str, engine: EngineDep, now: NowDep, user: Admin) -> MemberRemovedOut:
    _check_admin_of(user, _agency_id(engine, code))
    if not memberships.revoke(engine, username=username, agency_code=code, actor=user.principal(), now=now):
        raise ApiError(404, "not_found", f"{username} 在该机关没有兼任")
    return MemberRemovedOut(username=username, agency=code, removed=True)
