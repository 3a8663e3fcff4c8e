"""The accounts JSON API (账号接口): who am I, and my personal API tokens (接口令牌).

A token is shown once, when it is made; only its hash is kept. Tokens are made from a logged-in
browser session, so a leaked token cannot mint fresh ones that outlive its revocation, and every token
expires (API_TOKEN_DAYS at most): an expired one is answered 401 ``token_expired`` with the date.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gongzhi.accounts import selectors, services
from gongzhi.accounts.errors import AccountsError as ErrorCode
from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.roles import ROLES
from gongzhi.accounts.schemas import TokenCreatedOut, TokenCreateIn, TokenOut, TokenPage
from gongzhi.core.api_support import (
    ApiError,
    ObjectId,
    PageQuery,
    paginate,
    responses,
    service_errors,
    uses_session,
)
from gongzhi.core.api_support import ErrorCode as CoreErrorCode
from gongzhi.core.scoping import scope_of

router = Router(tags=["账号"])


# --- Schemas (the token schemas are in schemas.py: the token page parses with them too) ------------------------------------------


class RoleOut(Schema):
    role: str = Field(title="角色代码")
    role_label: str = Field(title="角色")
    title: str = Field(title="职务")
    place_id: int | None = Field(title="授权地点编号")
    place_name: str | None = Field(title="授权地点")
    company_id: int | None = Field(title="物业企业编号")
    company_name: str | None = Field(title="物业企业")


class ScopeOut(Schema):
    everything: bool = Field(title="全部可见（系统管理员）")
    roles: list[str] = Field(title="角色代码", description="含 resident（居民：因房屋产权或居住而得）")
    read_place_ids: list[int] = Field(title="可查看的地点编号", description="每个地点及其下级")
    writes: list[str] = Field(title="可修改的领域", description="registry=台账；governance=治理主体")
    unit_ids: list[int] = Field(title="本人房屋编号")
    company_ids: list[int] = Field(title="所属物业企业编号")
    unmasked_phone: bool = Field(title="可看完整手机号")
    unmasked_id: bool = Field(title="可看完整身份证号")


class MeOut(Schema):
    id: int
    username: str = Field(title="用户名")
    display_name: str = Field(title="显示名称")
    person_id: int | None = Field(title="对应人员编号")
    roles: list[RoleOut] = Field(title="角色授权")
    scope: ScopeOut = Field(title="可见范围")


# --- Endpoints ------------------------------------------------------------------------------------


@router.get("/me", response=responses(200, MeOut), summary="当前用户、角色与可见范围", operation_id="me")
def me(request: HttpRequest) -> dict:
    user = request.auth
    scope = scope_of(user)
    assignments = selectors.assignments_of(user)
    roles = [
        {
            "role": a.role,
            "role_label": str(ROLES[a.role].label) if a.role in ROLES else a.role,
            "title": a.title,
            "place_id": a.place_id,
            "place_name": a.place.name if a.place_id else None,
            "company_id": a.company_id,
            "company_name": a.company.name if a.company_id else None,
        }
        for a in assignments.order_by("id")
    ]
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": user.display_name,
        "person_id": user.person_id,
        "roles": roles,
        "scope": {
            "everything": scope.everything,
            "roles": sorted(scope.roles),
            "read_place_ids": sorted({int(p.strip("/").rsplit("/", 1)[-1]) for p in scope.read_paths}),
            "writes": sorted(d for d in ("registry", "governance") if scope.can_write(d)),
            "unit_ids": sorted(scope.unit_ids),
            "company_ids": sorted(scope.company_ids),
            "unmasked_phone": scope.unmasked_phone,
            "unmasked_id": scope.unmasked_id,
        },
    }


@router.get(
    "/tokens",
    response=responses(200, TokenPage),
    summary="我的接口令牌",
    operation_id="token_list",
    description="您自己的接口令牌，新的在前；令牌本身不再显示。",
)
def token_list(request: HttpRequest, filters: Query[PageQuery]) -> dict:
    return paginate(ApiToken.objects.filter(user=request.auth).order_by("-created_at", "-id"), filters)


@router.post(
    "/tokens",
    response=responses(201, TokenCreatedOut, write=True),
    summary="新建接口令牌",
    operation_id="token_create",
    description="新建个人接口令牌，权限与您本人相同。须在浏览器登录后新建（不能用令牌新建令牌）；令牌只在本次返回中显示一次。"
    "令牌一定会过期：默认 API_TOKEN_DAYS 天（默认 90 天），可以选更短。",
)
def token_create(request: HttpRequest, payload: TokenCreateIn) -> Status:
    if not uses_session(request):
        raise ApiError(403, ErrorCode.TOKEN_NEEDS_SESSION, "请在浏览器登录后新建令牌，不能用令牌新建令牌")
    with service_errors():
        token, key = services.api_token_create(
            user=request.auth,
            name=payload.name,
            days=payload.days,
            expires_at=payload.expires_at,
            actor=request.auth,
        )
    token.key = key  # shown this once; only its hash is stored
    return Status(201, token)


@router.post(
    "/tokens/{token_id}/revoke",
    response=responses(200, TokenOut, write=True),
    summary="撤销接口令牌",
    operation_id="token_revoke",
    description="立即撤销您自己的一个令牌；别人的令牌返回 404，已撤销的返回 409。",
)
def token_revoke(request: HttpRequest, token_id: ObjectId) -> ApiToken:
    token = ApiToken.objects.filter(user=request.auth, pk=token_id).first()
    if token is None:
        raise ApiError(404, CoreErrorCode.NOT_FOUND, "令牌不存在或无权查看")
    return services.api_token_revoke(token=token, actor=request.auth)
