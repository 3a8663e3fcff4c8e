from gongzhi.core import plugins


class RegistryConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.registry"
    label = "registry"
    verbose_name = "房屋与人口台账"
    urls = (("registry/", "urls"),)
    api_routers = ("api",)
    nav = "nav"
    bench = "bench"
