from gongzhi.core import plugins


class DashboardConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.dashboard"
    label = "dashboard"
    verbose_name = "驾驶舱"
    urls = (("dashboard/", "urls"),)
    nav = "nav"
