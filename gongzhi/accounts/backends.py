"""Login by username or phone number, with lockout after repeated failures."""

from django.contrib.auth.backends import ModelBackend

from gongzhi.accounts.models import User
from gongzhi.accounts.services import user_login_failed, user_login_succeeded


def client_ip(request) -> str | None:  # noqa: ANN001
    return request.META.get("REMOTE_ADDR") if request is not None else None


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):  # noqa: ANN001, ANN201
        if not username or not password:
            return None
        login = username.strip()
        # A username wins over someone else's phone number, so one account can never hide another.
        user = User.objects.filter(username=login).first() or User.objects.filter(phone=login).first()
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not tell who exists
            return None
        if user.is_locked:
            User().set_password(password)  # same work as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            user_login_succeeded(user=user, ip=client_ip(request))
            return user
        user_login_failed(user=user, ip=client_ip(request))
        return None
