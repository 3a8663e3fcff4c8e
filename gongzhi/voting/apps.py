from gongzhi.core import plugins


class VotingConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.voting"
    label = "voting"
    verbose_name = "业主大会表决"
    urls = (("voting/", "urls"),)
    api_routers = ("api",)
    nav = "nav"
    demo = "demo"
    demo_order = 30
    bench = "bench"
