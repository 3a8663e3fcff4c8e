from gongzhi.core import plugins


class AccountsConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = "账号与权限"
    urls = (("accounts/", "urls"),)
    api_routers = ("api",)
    nav = "nav"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from gongzhi.accounts.middleware import authenticate_token, on_login
        from gongzhi.accounts.scoping import scope_for
        from gongzhi.core.api_support import register_token_authenticator
        from gongzhi.core.scoping import register_scope_provider

        # core knows no app: accounts tells it how to compute a scope and how to read an API token
        register_scope_provider(scope_for)
        register_token_authenticator(authenticate_token)
        # the session limits count from the login (Django's own signal: login() is Django's, not ours)
        user_logged_in.connect(on_login, dispatch_uid="gongzhi.accounts.session_clock")
