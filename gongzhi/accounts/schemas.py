"""The accounts API's token schemas, shared by the token page (it parses its form through the same
TokenCreateIn, so page and API refuse the same values with the same words)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from gongzhi.accounts.models import ApiToken
from gongzhi.core.api_support import Moment, Name, Page
from gongzhi.core.inputs import Int


class TokenOut(Schema):
    id: int
    name: str = Field(title="用途")
    prefix: str = Field(title="前缀", description="令牌 gz_<前缀>_… 的前缀，用于辨认")
    created_at: dt.datetime = Field(title="创建时间")
    last_used_at: dt.datetime | None = Field(title="最近使用")
    expires_at: dt.datetime = Field(title="过期时间", description="过期后使用该令牌的请求返回 401（token_expired）")
    revoked_at: dt.datetime | None = Field(title="撤销时间")
    usable: bool = Field(title="可用", description="未撤销且未过期")

    @staticmethod
    def resolve_usable(obj: ApiToken) -> bool:
        return obj.is_usable


class TokenPage(Page[TokenOut]):
    """One page of TokenOut rows with the total (a named schema so OpenAPI shows it by name)."""


class TokenCreatedOut(TokenOut):
    key: str = Field(title="令牌", description="只显示这一次，请立即妥善保存；用法：Authorization: Bearer <令牌>")


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(title="用途", max_length=60)
    days: Int | None = Field(
        None,
        ge=1,
        le=3650,
        title="有效天数",
        description="从现在起有效的天数，不能超过 API_TOKEN_DAYS 设置（默认 90 天）；与过期时间只填一项",
    )
    expires_at: Moment | None = Field(
        None,
        title="过期时间",
        description="带时区，如 2026-12-31T23:59:59+08:00，最晚为 API_TOKEN_DAYS 天后；"
        "有效天数和过期时间都不填则为 API_TOKEN_DAYS 天（默认 90 天）",
    )
