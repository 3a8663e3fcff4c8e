from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "gongzhi.devices"
    label = "devices"
    verbose_name = "智慧物业终端"

    def ready(self) -> None:
        from gongzhi.devices import receivers  # noqa: F401 - connects the work-order hook
