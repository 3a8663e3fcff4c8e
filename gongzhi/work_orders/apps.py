from gongzhi.core import plugins


class WorkOrdersConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.work_orders"
    label = "work_orders"
    verbose_name = "诉求工单"
    urls = (
        ("work-orders/12345/", "bridges.hotline12345.urls"),
        ("work-orders/", "urls"),
        ("open311/", "bridges.open311.urls"),
    )
    api_routers = ("api",)
    nav = "nav"
    demo = "demo"
    demo_order = 20
    bench = "bench"
