from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "gongzhi.devices"
    label = "devices"
    verbose_name = "智慧物业终端"
