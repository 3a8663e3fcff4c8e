from gongzhi.core import plugins


class CoreConfig(plugins.GongzhiAppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from gongzhi.core import audit, integrity, notifications, tasks

        pre_save.connect(integrity.refuse_nul, dispatch_uid="gongzhi.core.refuse_nul")

        # writers ask the background worker to seal their audit rows after they commit
        audit.register_sealer(tasks.seal_audit)
        # SMS and WeChat go out from the worker, never from the request thread
        notifications.register_dispatcher(tasks.send_notification)
