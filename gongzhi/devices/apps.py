from gongzhi.core import plugins


class DevicesConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.devices"
    label = "devices"
    verbose_name = "智慧物业终端"
    urls = (("devices/", "urls"),)
    api_routers = ("api",)
    nav = "nav"
    demo = "demo"
    demo_order = 50
    bench = "bench"

    def ready(self) -> None:
        from gongzhi.devices import receivers  # noqa: F401 - connects the work-order hook
