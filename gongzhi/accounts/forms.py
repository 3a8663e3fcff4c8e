from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.accounts.middleware import wait_text


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="用户名或手机号",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        # The same words for a wrong password and a name nobody has, so the login page never tells which
        # accounts exist; the refusal after repeated failures is likewise the same for both.
        "invalid_login": "用户名/手机号或密码不正确。多次输错后，需要等待一段时间才能再次尝试。",
        "inactive": "该账号已停用，请联系社区或街道管理员。",
        "throttled": "登录尝试过于频繁，请 {wait}后再试。忘记密码请联系所在社区居委会或物业服务中心。",
    }

    def get_invalid_login_error(self) -> ValidationError:
        until = getattr(self.request, "login_refused_until", None)
        if until is None:
            return super().get_invalid_login_error()
        wait = wait_text((until - timezone.now()).total_seconds())
        return ValidationError(self.error_messages["throttled"].format(wait=wait), code="throttled")
