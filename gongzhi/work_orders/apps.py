from django.apps import AppConfig


class WorkOrdersConfig(AppConfig):
    name = "gongzhi.work_orders"
    label = "work_orders"
    verbose_name = "诉求工单"
