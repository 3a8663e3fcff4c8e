"""Login by username or phone number, with lockout after repeated failures."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from gongzhi.accounts.models import User
from gongzhi.accounts.services import user_login_failed, user_login_succeeded


def client_ip(request) -> str | None:  # noqa: ANN001
    return request.META.get("REMOTE_ADDR") if request is not None else None


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):  # noqa: ANN001, ANN201
        if not username or not password:
            return None
        login = username.strip()
        user = User.objects.filter(Q(username=login) | Q(phone=login)).first()
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not tell who exists
            return None
        if user.is_locked:
            if request is not None:
                request.login_locked_until = user.locked_until
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            user_login_succeeded(user=user, ip=client_ip(request))
            return user
        user = user_login_failed(user=user, ip=client_ip(request))
        if request is not None and user.is_locked:
            request.login_locked_until = user.locked_until
        return None
