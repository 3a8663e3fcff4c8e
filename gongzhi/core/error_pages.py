"""The CSRF failure page (CSRF_FAILURE_VIEW): the site's Chinese page instead of Django's English one."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseForbidden
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, REASON_NO_REFERER
from django.template import loader


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponseForbidden:  # noqa: ARG001
    """Tell the user to refresh the page and try again. Rendered without the request (like Django's own
    view), so a broken session or database cannot turn the refusal into a 500."""
    context = {
        "no_cookie": reason == REASON_NO_CSRF_COOKIE,
        "no_referer": reason == REASON_NO_REFERER,
        "reason": reason if settings.DEBUG else "",  # Django's English reason, for developers only
    }
    return HttpResponseForbidden(loader.get_template("403_csrf.html").render(context))
