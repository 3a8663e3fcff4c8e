from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gongzhi.accounts.forms import LoginForm
from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.scoping import scope_of


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
