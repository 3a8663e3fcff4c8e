"""The JSON API: one django-ninja instance under /api/v1/, its OpenAPI document at /api/v1/openapi.json
and its Swagger UI at /api/docs (served from the project's own static files: nothing from the internet)."""

from gongzhi.core.api_docs import StaticSwagger
from gongzhi.core.api_support import GongzhiNinjaAPI, SessionAuth, TokenAuth, install_error_handlers
from gongzhi.core.plugins import api_routers

DESCRIPTION = """共治平台的数据接口。

**身份**：浏览器登录后的会话（修改类请求需带 CSRF 令牌 `X-CSRFToken`），或个人接口令牌
`Authorization: Bearer gz_…`（在“我的接口令牌”中新建）。

**错误**：所有错误都是同一格式 `{"error": {"code": "...", "message": "中文说明", "fields": {"字段": "问题"}}}`；
400 数据有误（`fields` 指明字段），401 未登录或令牌无效、过期（`token_expired`），403 无权这样做（`code` 说明是哪项权限，
`message` 说明原因），404 不存在或无权查看，409 状态不允许或与已有记录冲突（`code` 说明原因），429 同一地址失败次数过多，请稍后再试。

**数字**：面积为两位小数的十进制字符串（如 `"60.50"`），金额为整数“分”。列表分页用 `limit` / `offset`，返回 `total`。
"""

api = GongzhiNinjaAPI(
    title="共治 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    # validatorUrl: Swagger UI would otherwise fetch a badge from validator.swagger.io. StaticSwagger: the
    # page runs under the strict Content-Security-Policy (no inline script, settings through json_script).
    docs=StaticSwagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url=None,  # served at /api/docs by config/api_urls.py
)
install_error_handlers(api)
for router in api_routers():  # each app declares its routers (gongzhi.core.plugins)
    api.add_router("", router)
