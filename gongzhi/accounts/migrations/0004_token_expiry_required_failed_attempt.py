"""Every API token has an expiry (filled in by 0003), and failed logins get their table."""

from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    # Apart from 0003: PostgreSQL may refuse to alter a table that rows were just updated in within the
    # same transaction.
    dependencies = [
        ("accounts", "0003_login_throttle_token_expiry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="过期时间"),
        ),
        migrations.CreateModel(
            name="FailedAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=timezone.now, verbose_name="时间")),
                (
                    "kind",
                    models.CharField(
                        choices=[("password", "密码错误"), ("token", "未知接口令牌")],
                        max_length=10,
                        verbose_name="类型",
                    ),
                ),
                ("address", models.CharField(max_length=45, verbose_name="来源地址")),
                (
                    "account",
                    models.CharField(
                        blank=True,
                        help_text="user:编号；不存在的账号只存输入内容的摘要",
                        max_length=40,
                        verbose_name="账号",
                    ),
                ),
            ],
            options={
                "verbose_name": "失败的登录尝试",
                "verbose_name_plural": "失败的登录尝试",
                "indexes": [
                    models.Index(fields=["address", "kind", "at"], name="failed_attempt_address"),
                    models.Index(fields=["account", "address", "at"], name="failed_attempt_account"),
                    models.Index(fields=["at"], name="failed_attempt_at"),
                ],
            },
        ),
    ]
