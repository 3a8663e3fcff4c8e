"""Settings for gongzhi. Production differs from the embedded demo only by environment variables.

Every variable, its default and its meaning is listed in README.md ("Configuration").
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_networks(name: str, default: str) -> list[str]:
    """A comma-separated list of networks (CIDR, or a single address), checked at start-up so a typo
    stops the server instead of silently opening or closing something."""
    networks = [n.strip() for n in os.environ.get(name, default).split(",") if n.strip()]
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}：“{network}”不是有效的网段（如 10.0.0.0/8）。") from exc
    return networks


DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("GONGZHI_PRODUCTION", False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - the embedded default, refused in production
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("GONGZHI_PRODUCTION=1 需要设置一个真实的 SECRET_KEY（至少 32 个字符）。")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "csp",  # django-csp: its system checks
    "ninja",  # its templates and static Swagger UI, so /api/docs loads nothing from a CDN
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.registry",
    "gongzhi.governance",
    "gongzhi.dashboard",
    "gongzhi.work_orders",
    "gongzhi.voting",
    "gongzhi.funds",
    "gongzhi.devices",
    "gongzhi.notices",
    "gongzhi.demo",  # the demo and scale builders: after the apps whose data it makes
]

MIDDLEWARE = [
    # First: everything after it (throttles, audit rows, the admin gate) sees the real client address.
    "gongzhi.accounts.middleware.ClientAddressMiddleware",
    # Before anything reads the body: an upload too large for its kind is refused unread (413).
    "gongzhi.core.middleware.UploadLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gongzhi.accounts.middleware.ApiTokenThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL in a query string or a plain form is refused (400) before any view (PostgreSQL refuses it in text).
    "gongzhi.core.middleware.NulByteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongzhi.accounts.middleware.SessionTimeoutMiddleware",
    "gongzhi.accounts.middleware.AdminGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: a bad filter value a page did not catch is a 400 naming the field, not a 500.
    "gongzhi.core.middleware.InvalidInputMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A read replica (PostgreSQL streaming replication): dashboards and reports read from it when
# DATABASE_REPLICA_URL is set (gongzhi.core.replica). In tests it mirrors the default database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["gongzhi.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gongzhi.accounts.backends.UsernameOrPhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Logins, sessions, API tokens and the admin (gongzhi/accounts; README "Configuration") ----------
# Failed logins are counted per account *and* client address, and per client address across accounts,
# never per account alone: a stranger's wrong passwords cannot lock the real user out, and one password
# sprayed over many accounts is slowed. Nothing is locked for good; every limit slides with the window.
# - LOGIN_MAX_FAILURES wrong passwords for one account from one address within LOGIN_LOCKOUT_MINUTES:
#   that account is refused from that address until the oldest of them leaves the window.
# - LOGIN_ADDRESS_FREE_FAILURES wrong passwords from one address (any accounts) within the window: each
#   further attempt from it waits 1 s after the last failure, doubling per failure, up to the window.
# - API_TOKEN_MAX_FAILURES unknown API tokens from one address within the window: bearer requests from
#   it are answered 429 until the oldest of them leaves the window.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_ADDRESS_FREE_FAILURES = int(os.environ.get("LOGIN_ADDRESS_FREE_FAILURES", "10"))
API_TOKEN_MAX_FAILURES = int(os.environ.get("API_TOKEN_MAX_FAILURES", "20"))
# The client address is REMOTE_ADDR. Only when REMOTE_ADDR is one of these proxies is X-Forwarded-For
# read (from the right, skipping these proxies): by default the header is never trusted.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", "")
# Sessions end after SESSION_IDLE_MINUTES without a request (each request extends it) and at the latest
# SESSION_MAX_HOURS after the login.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
# A new API token lives API_TOKEN_DAYS unless its owner chooses fewer; never longer.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
# /admin/ answers only superusers coming from these networks; anyone else gets the site's 404. The
# embedded demo allows every address; production only the machine itself unless set.
ADMIN_ALLOWED_NETWORKS = env_networks(
    "ADMIN_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128" if PRODUCTION else "0.0.0.0/0,::/0"
)
for _name in ("LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_MINUTES", "LOGIN_ADDRESS_FREE_FAILURES",
              "API_TOKEN_MAX_FAILURES", "SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "API_TOKEN_DAYS"):  # fmt: skip
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} 应为正整数。")

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The cookie and the stored session die with the absolute limit (the middleware enforces both limits).
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# The largest request body per kind of upload, checked before the body is read
# (gongzhi.core.middleware.UploadLimitMiddleware); every other request body is at most the default.
MB = 1024 * 1024
UPLOAD_LIMITS = [
    (r"^/(work-orders/12345/|registry/import/)", 10 * MB, "表格文件"),
    (r"^/(funds/campaign/\d+/import/|api/funds/campaigns/\d+/statements)", 20 * MB, "银行流水文件"),
    (r"^/work-orders/", 4 * 8 * MB + MB, "照片"),  # up to 4 photos of 8 MB each, with the form
]
UPLOAD_DEFAULT_LIMIT = 5 * MB

# Background jobs: SQLite storage embedded, Redis in production (REDIS_URL).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "gongzhi", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gongzhi",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
    }

# DOMAIN_RULES.md §H: the official formulas of the three rates are not published, so each rate's
# numerator and denominator are settings. "basis" counts estates or households (residential units).
THREE_RATES = {
    "property_coverage": {"numerator": "contract_or_self_managed", "basis": "estates"},
    "committee_formation": {"numerator": "owners_or_management_committee", "basis": "estates"},
    "party_coverage": {"numerator": "committee_with_party_org_or_members", "basis": "committees"},
}
THREE_RATES_TARGETS = {"2020": 30, "2021": 70, "2022": 90}

# Personal data: roles that see phone and ID numbers unmasked (DOMAIN_RULES.md §I 31).
UNMASKED_PHONE_ROLES = ["street_officer", "community_staff", "grid_worker", "property_manager"]
UNMASKED_ID_ROLES = ["street_officer", "community_staff"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Browser security: Content-Security-Policy and HTTPS ----------------------------------------------
# Every script and style is a static file of our own (templates carry no inline <script>, <style>, style=
# or on…= attributes; chart data comes through json_script), so the policy allows 'self' only: no
# 'unsafe-inline', no 'unsafe-eval'. Images also as data: URIs (Swagger UI's icons). Development reports
# violations in the browser console without blocking (report-only); production enforces the policy.
CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES} if PRODUCTION else None
CONTENT_SECURITY_POLICY_REPORT_ONLY = None if PRODUCTION else {"DIRECTIVES": CSP_DIRECTIVES}

SECURE_CONTENT_TYPE_NOSNIFF = True  # X-Content-Type-Options: nosniff
SECURE_REFERRER_POLICY = "same-origin"  # other sites never see our paths (they carry ids of estates and people)
X_FRAME_OPTIONS = "DENY"  # with frame-ancestors 'none' for browsers that predate CSP
CSRF_FAILURE_VIEW = "gongzhi.core.error_pages.csrf_failure"  # a Chinese page: refresh and try again

if PRODUCTION:
    # TLS ends at nginx, which says so in X-Forwarded-Proto (nginx must set it, never pass the client's).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Off only where the proxy in front already redirects http to https.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Joining the browsers' preload list is hard to undo, so it is the operator's explicit choice;
    # check --deploy's reminder about it (security.W021) is silenced while it is off.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Notifications and work orders (诉求工单) -------------------------------------------------------
# Channel → sender class (gongzhi.core.notifications.Sender). Replace the logging sender with a real
# SMS / WeChat gateway in production; the inbox is always written.
NOTIFICATION_SENDERS = {
    "sms": os.environ.get("NOTIFICATION_SMS_SENDER", "gongzhi.core.notifications.LoggingSender"),
    "wechat": os.environ.get("NOTIFICATION_WECHAT_SENDER", "gongzhi.core.notifications.LoggingSender"),
}
# SLA limits in minutes, the last fallback after the SlaPolicy rows (most specific first: category,
# its parents, then any category; the estate's service tier before any tier). Each row sets some clocks.
# DOMAIN_RULES.md §G 28: emergencies 2 h, water/power/gas/heating 24 h, general 7 days, complex 15 days.
WORK_ORDER_SLA_DEFAULTS = [
    {"tier": None, "category": None, "accept": 30, "arrive": 24 * 60, "resolve": 7 * 24 * 60},
    {"tier": None, "category": "utilities", "resolve": 24 * 60},
    {"tier": None, "category": "disputes", "resolve": 15 * 24 * 60},  # complex
    {"tier": None, "category": "renovation", "resolve": 15 * 24 * 60},  # complex
]
WORK_ORDER_EMERGENCY_RESOLVE_MINUTES = 2 * 60  # priority "emergency" caps the resolve clock (§G 28)
# Working hours for policies with working_hours_only (weekday 0 = Monday).
WORK_ORDER_WORKING_HOURS = {"tz": "Asia/Shanghai", "weekdays": [0, 1, 2, 3, 4], "start": "08:30", "end": "17:30"}
# Minutes each rung of the escalation ladder has to answer before the next rung is called
# (1 居委会和业委会/物管会, 2 街道"吹哨", 3 区职能部门"报到").
WORK_ORDER_ESCALATION_MINUTES = {1: 24 * 60, 2: 24 * 60, 3: 3 * 24 * 60}
WORK_ORDER_REOPEN_DAYS = 7  # the reporter may reopen within 7 days of resolution (以内: boundary included)
WORK_ORDER_SATISFIED_MIN_RATING = 4  # a rating of 4 or 5 counts as satisfied (满意率)
WORK_ORDER_NOTIFY_CHANNELS = ["inbox", "sms"]
