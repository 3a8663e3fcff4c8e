from gongzhi.core import plugins


class AccountsConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = "账号与权限"
    urls = (("accounts/", "urls"),)
    api_routers = ("api",)
    nav = "nav"
