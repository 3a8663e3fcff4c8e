"""Issue an Open311 api_key to a client (e.g. a city's 12345 platform or a resident app) for an
estate or a street; the key is printed once and only its hash is kept."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.models import User
from gongzhi.registry.models import Place
from gongzhi.work_orders.bridges.open311.services import open311_client_create


class Command(BaseCommand):
    help = (
        "为 Open311 接入方签发 api_key：python manage.py open311_key --name 名称 --place 小区或街道编号 --user 责任账号"
    )

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--name", required=True, help="接入方名称")
        parser.add_argument("--place", type=int, required=True, help="小区或街道的编号（地点 id）")
        parser.add_argument("--user", required=True, help="代表该接入方提交诉求的账号（用户名）")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        user = User.objects.filter(username=options["user"]).first()
        place = Place.objects.filter(pk=options["place"]).first()
        if user is None:
            raise CommandError(f"没有用户名为 {options['user']} 的账号")
        if place is None:
            raise CommandError(f"没有编号为 {options['place']} 的地点")
        try:
            client, key = open311_client_create(name=options["name"], place=place, user=user, actor=None)
        except ValidationError as exc:
            raise CommandError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
        self.stdout.write(
            f"已为“{client.name}”签发 Open311 api_key（范围：{place.name}），请立即保存，之后无法再次查看："
        )
        self.stdout.write(key)
