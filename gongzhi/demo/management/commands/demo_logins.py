"""manage.py demo_logins: print the address and the demo logins (called by scripts/run.sh)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from gongzhi.accounts.models import User
from gongzhi.demo.users import APP_DEMO_LOGINS, DEMO_USERS, logins_table
from gongzhi.registry.models import Residency


def _where_from_database() -> tuple[set[str], dict[str, str]]:
    """Which demo users exist, and the residents' homes and the 楼组长's building as they are now."""
    users = list(
        User.objects.filter(username__in=[u.username for u in DEMO_USERS]).prefetch_related("role_assignments__place")
    )
    where: dict[str, str] = {}
    for user in users:
        if user.person_id:
            home = (
                Residency.objects.filter(person_id=user.person_id, until__isnull=True)
                .select_related("unit__estate", "unit__building", "unit__entrance")
                .first()
            )
            if home is not None and not user.role_assignments.all():
                where[user.username] = f"{home.unit.estate.name} {home.unit.label}"
        if user.username == "jinsong_volunteer":
            places = [a.place for a in user.role_assignments.all() if a.place_id]
            if places:
                where[user.username] = f"劲松一区 {places[0].name}"
    return {u.username for u in users}, where


def _app_logins() -> frozenset[str]:
    try:
        names = [row[0] for row in APP_DEMO_LOGINS]
        return frozenset(User.objects.filter(username__in=names).values_list("username", flat=True))
    except DatabaseError:
        return frozenset()


class Command(BaseCommand):
    help = "打印演示系统地址和各角色的演示账号。"

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--address", default="http://127.0.0.1:8000", help="演示系统的访问地址")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        try:
            present, where = _where_from_database()
        except DatabaseError:
            present, where = set(), {}
        self.stdout.write(
            logins_table(
                options["address"],
                where=where,
                max_failures=settings.LOGIN_MAX_FAILURES,
                lockout_minutes=settings.LOGIN_LOCKOUT_MINUTES,
                app_logins=_app_logins(),
            )
        )
        missing = [u.username for u in DEMO_USERS if u.username not in present]
        if not present:
            self.stdout.write(self.style.WARNING("还没有加载演示数据：请先运行 python manage.py load_demo。"))
        elif missing:
            self.stdout.write(
                self.style.WARNING(
                    f"注意：数据库里还没有这些演示账号：{'、'.join(missing)}。请先运行 python manage.py load_demo。"
                )
            )
