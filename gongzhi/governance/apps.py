from gongzhi.core import plugins


class GovernanceConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.governance"
    label = "governance"
    verbose_name = "治理主体"
    urls = (("governance/", "urls"),)
    api_routers = ("api",)
    nav = "nav"
