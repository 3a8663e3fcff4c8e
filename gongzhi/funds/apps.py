from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "gongzhi.funds"
    label = "funds"
    verbose_name = "资金与公共收益"
