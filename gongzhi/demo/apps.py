from gongzhi.core import plugins


class DemoConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.demo"
    label = "demo"
    verbose_name = "演示数据"
    demo = "builder"
    demo_order = 10
