"""manage.py seed_scale --units N: a district-scale registry for measuring (see bench/README.md)."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.demo.scale import seed_scale


class Command(BaseCommand):
    help = "生成规模测试数据：一个新的区，下设街道、社区、小区、楼栋、单元和房屋，每套房屋都有业主。"

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--units", type=int, default=100_000, help="房屋套数（默认 100000，可到 1000000 以上）")
        parser.add_argument("--batch", type=int, default=5000, help="每批写入的行数（默认 5000）")
        parser.add_argument("--seed", type=int, default=7, help="随机种子")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        if options["units"] < 1:
            raise CommandError("--units 必须是正整数")
        if options["batch"] < 1:
            raise CommandError("--batch 必须是正整数")
        result = seed_scale(units=options["units"], batch=options["batch"], seed=options["seed"], log=self.stdout.write)
        c = result.counts
        self.stdout.write(
            f"写入：地点 {c['places']}、房屋 {c['units']}、人员 {c['people']}、产权 {c['ownerships']}、"
            f"居住 {c['residencies']}、物业合同 {c['contracts']}、业委会/物管会 {c['committees']}"
            f"（委员 {c['committee_members']}）、党组织 {c['party_orgs']}"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.district.name}：共 {result.rows} 行，用时 {result.seconds:.1f} 秒，"
                f"{result.rows_per_second:,.0f} 行/秒"
            )
        )
