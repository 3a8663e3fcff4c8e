"""The street overview's filters, parsed like any input (gongzhi.core.forms): a value that is not an
id is refused with the field's Chinese name, never turned into a 500."""

from __future__ import annotations

from pydantic import BaseModel, Field

from gongzhi.core.inputs import ObjectId


class OverviewFilter(BaseModel):
    street: ObjectId | None = Field(default=None, title="街道")
    community: ObjectId | None = Field(default=None, title="社区")
    missing: bool = Field(default=False, title="只看缺项小区")
