"""Login by username or phone number, throttled per account and client address and per address.

Never per account alone: then five wrong passwords typed by anyone, anywhere, would lock the real user
out (the administrator included). See selectors.login_refused_until for the two counts."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from gongzhi.accounts import rules, selectors, services
from gongzhi.accounts.addresses import client_address
from gongzhi.accounts.models import User


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):  # noqa: ANN001, ANN201
        if not username or not password:
            return None
        login = username.strip()
        # A username wins over someone else's phone number, so one account can never hide another.
        user = User.objects.filter(username=login).first() or User.objects.filter(phone=login).first()
        account = rules.account_key(user.pk if user else None, login)
        # No request (a call from code): nothing to count a failure against, so no throttle either.
        address = client_address(request) if request is not None else None
        if address is not None:
            until = selectors.login_refused_until(address=address, account=account)
            if until is not None:
                # Refused before the password is looked at: a guess made now tells nothing. A name nobody
                # has is counted and refused the same way, so the refusal does not tell who exists.
                request.login_refused_until = until
                raise PermissionDenied  # stops authenticate() trying other backends
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not tell who exists
        elif user.check_password(password) and self.user_can_authenticate(user):
            return services.login_succeeded(user=user, account=account, address=address)
        if address is not None:
            services.login_failed(user=user, account=account, address=address)
        return None
