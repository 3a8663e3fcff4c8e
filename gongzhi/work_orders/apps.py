from gongzhi.core import plugins


class WorkOrdersConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.work_orders"
    label = "work_orders"
    verbose_name = "诉求工单"
    urls = (("work-orders/12345/", "urls_hotline"), ("work-orders/", "urls"), ("open311/v2/", "open311_urls"))
    api_routers = ("api",)
    nav = "nav"
    demo = "demo"
    demo_order = 20
    bench = "bench"
