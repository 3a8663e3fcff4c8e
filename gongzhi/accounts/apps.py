from gongzhi.core import plugins


class AccountsConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = "账号与权限"
    urls = (("accounts/", "urls"),)
    api_routers = ("api",)
    nav = "nav"

    def ready(self) -> None:
        from gongzhi.accounts.scoping import scope_for
        from gongzhi.accounts.services import api_token_authenticate
        from gongzhi.core.api_support import register_token_authenticator
        from gongzhi.core.scoping import register_scope_provider

        # core knows no app: accounts tells it how to compute a scope and how to read an API token
        register_scope_provider(scope_for)
        register_token_authenticator(api_token_authenticate)
