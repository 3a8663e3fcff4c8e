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
        # One message for a wrong password, an unknown name and a locked account alike, so the login
        # page never tells which accounts exist (the owner of a locked account is told by the audit
        # log and their administrator, not by the form).
        "invalid_login": "用户名/手机号或密码不正确。连续多次输错，账号会被临时锁定 15 分钟。",
        "inactive": "该账号已停用，请联系社区或街道管理员。",
    }
