from django import forms
from django.contrib.auth.forms import AuthenticationForm


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
        "invalid_login": "用户名/手机号或密码不正确。连续多次输错，账号会被临时锁定。",
        "inactive": "该账号已停用，请联系社区或街道管理员。",
    }

    def clean(self):  # noqa: ANN201
        try:
            return super().clean()
        except forms.ValidationError:
            locked = getattr(self.request, "login_locked_until", None)
            if locked is not None:
                from django.utils import timezone

                raise forms.ValidationError(
                    f"登录失败次数过多，账号已锁定至 {timezone.localtime(locked):%H:%M}，请稍后再试。", code="locked"
                ) from None
            raise
