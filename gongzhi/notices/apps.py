from gongzhi.core import plugins


class NoticesConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.notices"
    label = "notices"
    verbose_name = "公告公示"
    urls = (("notices/", "urls"),)
    api_routers = ("api",)
    nav = "nav"
    demo = "demo"
    demo_order = 60
