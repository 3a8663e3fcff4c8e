"""manage.py permissions_table: print the "who may do what" table of every app's permissions (README)."""

from django.core.management.base import BaseCommand

from gongzhi.core.permissions import permissions_table


class Command(BaseCommand):
    help = "打印各模块的权限表（谁可以做什么），用于 README。"

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        self.stdout.write(permissions_table())
