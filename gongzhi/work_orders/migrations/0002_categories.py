"""Seed the category tree (诉求类别) with the kinds of demand the seed reports name."""

from django.db import migrations

CATEGORIES = [
    ("utilities", "水电气暖", [
        ("utilities-water-leak", "跑冒滴漏、管道漏水"),
        ("utilities-power", "停电、公共照明"),
        ("utilities-gas", "燃气故障"),
        ("utilities-heating", "供暖不热"),
    ]),
    ("sanitation", "环境卫生", [
        ("sanitation-garbage", "垃圾清运、分类"),
        ("sanitation-cleaning", "楼道、公共区域保洁"),
        ("sanitation-greening", "绿化养护"),
        ("sanitation-pests", "蚊蝇鼠害"),
    ]),
    ("housing-safety", "房屋安全", [
        ("housing-safety-roof", "屋面漏雨"),
        ("housing-safety-wall", "外墙脱落、墙体开裂"),
        ("housing-safety-stairs", "楼梯、扶手破损"),
    ]),
    ("facilities", "公共设施", [
        ("facilities-elevator", "电梯故障"),
        ("facilities-door", "单元门、门禁损坏"),
        ("facilities-fire", "消防设施损坏"),
        ("facilities-roads", "道路、井盖破损"),
    ]),
    ("parking-traffic", "停车交通", [
        ("parking-traffic-disorder", "乱停乱放、占用消防通道"),
        ("parking-traffic-ebike", "电动车充电、飞线充电"),
        ("parking-traffic-zombie", "僵尸车"),
    ]),
    ("property-service", "物业服务", [
        ("property-service-attitude", "服务态度"),
        ("property-service-fees", "物业收费"),
        ("property-service-security", "秩序维护、门岗"),
    ]),
    ("disputes", "邻里纠纷", [
        ("disputes-noise", "噪音扰民"),
        ("disputes-leak-downstairs", "楼上渗水"),
        ("disputes-pets", "饲养宠物"),
        ("disputes-occupation", "占用公共空间、楼道堆物"),
    ]),
    ("renovation", "装修违建", [
        ("renovation-illegal-building", "违法搭建"),
        ("renovation-load-bearing", "破坏承重结构"),
        ("renovation-noise", "违规时间装修"),
    ]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("work_orders", "Category")
    for position, (code, name, children) in enumerate(CATEGORIES, start=1):
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10})
        for child_position, (child_code, child_name) in enumerate(children, start=1):
            Category.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "parent": parent, "position": child_position}
            )


def unseed(apps, schema_editor):
    Category = apps.get_model("work_orders", "Category")
    codes = [c for code, _, children in CATEGORIES for c in [code, *(cc for cc, _ in children)]]
    Category.objects.filter(code__in=codes, parent__isnull=False).delete()
    Category.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("work_orders", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
