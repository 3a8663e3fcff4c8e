from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import services
from gongzhi.accounts.forms import LoginForm
from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.roles import RESIDENT
from gongzhi.accounts.schemas import TokenCreateIn
from gongzhi.core.errors import reason_of
from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import scope_of

# The lives a token page offers (days), up to API_TOKEN_DAYS; the API takes any number up to it.
TOKEN_LIFE_CHOICES = (7, 30, 90, 180, 365)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page their work starts from."""
    scope = scope_of(request.user)
    if scope.everything or scope.roles & {"street_officer", "department_officer"}:
        return redirect("dashboard:street_overview")
    if scope.roles - {RESIDENT}:
        return redirect("registry:estate_list")
    if RESIDENT in scope.roles:
        return redirect("registry:my_home")
    return render(request, "accounts/no_role.html")


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """My personal API tokens (我的接口令牌): make one (shown once) with a life of up to API_TOKEN_DAYS,
    see when each was last used and when it expires, revoke."""
    new_key = ""
    error = ""
    if request.method == "POST":
        try:
            data = parse_form(TokenCreateIn, request.POST)
            _, new_key = services.api_token_create(
                user=request.user, name=data.name, days=data.days, expires_at=data.expires_at, actor=request.user
            )
        except ValidationError as exc:
            error = reason_of(exc)
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    longest = settings.API_TOKEN_DAYS
    lives = sorted({d for d in TOKEN_LIFE_CHOICES if d < longest} | {longest})
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens,
            "new_key": new_key,
            "error": error,
            "nav_active": "tokens",
            "token_lives": lives,
            "token_days": longest,
        },
        status=400 if error else 200,  # a refused form says so, and made nothing
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of my tokens; someone else's token is not found (404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"令牌“{token.name}”已撤销，使用它的对接程序将无法再访问。")
    return redirect("accounts:tokens")
