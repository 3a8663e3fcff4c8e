from gongzhi.core import plugins


class FundsConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = "资金与公共收益"
    urls = (("funds/", "urls"),)
    api_routers = ("api",)
    nav = "nav"
    demo = "demo"
    demo_order = 40
    bench = "bench"
