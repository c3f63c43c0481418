"""Settings, read once from the environment.

Every setting comes from an environment variable (README.md lists them all). With none set, a fresh
checkout runs at once: SQLite under var/, Celery eager, DEBUG on. A malformed value stops start-up
with a message that names the variable, rather than running half-configured.
"""

import sys
from datetime import date, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _env(name: str, cast, default):
    """Read one variable; a value that does not parse stops start-up naming the variable."""
    try:
        return cast(name, default=default)
    except (ValueError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"环境变量 {name} 的值无效: {exc}") from exc


DEBUG = _env("DEBUG", env.bool, True)
# Under pytest the fast test settings apply without anyone having to remember a variable.
TESTING = _env("TESTING", env.bool, "pytest" in sys.modules)

SECRET_KEY = _env("SECRET_KEY", env.str, "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("环境变量 SECRET_KEY 未设置：DEBUG=false 时必须提供。")
    SECRET_KEY = "insecure-development-key-only-for-local-demo"

ALLOWED_HOSTS = _env("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]", "testserver"])
# The login page lists the demo accounts (admin/officer/… with the demo password): on in DEBUG and in
# ./scripts/demo, never in production.
DEMO_LOGIN_HINT = _env("DEMO_LOGIN_HINT", env.bool, DEBUG)
CSRF_TRUSTED_ORIGINS = _env("CSRF_TRUSTED_ORIGINS", env.list, [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "campaigns",
    "inspections",
    "hazards",
    "enforcement",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Last: turns a lockout noticed during authentication into the 429 page (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safety_office.urls"
WSGI_APPLICATION = "safety_office.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "accounts.context_processors.notifications",
            ],
        },
    },
]

# With no DATABASE_URL the demo runs on SQLite under var/; tests and production use Postgres.
DATABASES = {
    "default": _env("DATABASE_URL", env.db_url, f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = _env("CONN_MAX_AGE", env.int, 60)
# A connection kept across requests is checked before each request reuses it: after Postgres restarts,
# the next request reconnects instead of failing on the dead connection. While Postgres is down, pages
# answer the 503 page at once (core.views.server_error); connecting gives up after DATABASE_CONNECT_TIMEOUT.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parallel query workers per query: none for pages (core/parallel.py says why); the roll-ups ask for theirs.
DATABASE_PARALLEL_WORKERS = _env("DATABASE_PARALLEL_WORKERS", env.int, 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", _env("DATABASE_CONNECT_TIMEOUT", env.int, 5)
    )
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", f"-c max_parallel_workers_per_gather={DATABASE_PARALLEL_WORKERS}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The SQLite demo: BEGIN IMMEDIATE takes the write lock up front, so a second writer waits (up to
    # `timeout` seconds) instead of failing with "database is locked" on its first write after a read;
    # WAL lets pages read while someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out username+IP before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute force (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from one IP lock that
# pair out for AXES_COOLOFF_MINUTES, on the login page, the token endpoint and the admin alike. By the
# pair, not the IP alone: a whole office behind one NAT address is not locked out by one attacker.
AXES_ENABLED = _env("AXES_ENABLED", env.bool, True)
AXES_FAILURE_LIMIT = _env("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env("AXES_COOLOFF_MINUTES", env.int, 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False  # the audit log (safety.audit) already records each attempt
# The client address for the lockout and the audit log (core.audit.client_ip). Behind a reverse proxy
# REMOTE_ADDR is the proxy's: TRUSTED_PROXY_COUNT proxies back in X-Forwarded-For is the client. At 0 the
# header is ignored (without a proxy any client could forge it to dodge the lockout).
TRUSTED_PROXY_COUNT = _env("TRUSTED_PROXY_COUNT", env.int, 0)
AXES_CLIENT_IP_CALLABLE = "core.audit.client_ip"

# API tokens (POST /api/v1/auth/token/) expire after this many hours; the caller asks for a new one.
TOKEN_TTL_HOURS = _env("TOKEN_TTL_HOURS", env.int, 12)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = _env("STATIC_ROOT", env.path, VAR_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = _env("MEDIA_ROOT", env.path, VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads (Excel ledgers, photos) are capped; an import file larger than this is refused with a message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = _env("IMPORT_MAX_BYTES", env.int, 20 * 1024 * 1024)
# An xlsx is a zip: these bound what it may unpack to, read from the zip's directory before parsing
# (a 1 MB file can hold a 1 GB string). Worksheets are streamed; shared strings and the other XML
# parts are held whole (openpyxl needs ~7 bytes of memory per byte of shared strings).
IMPORT_MAX_UNCOMPRESSED_BYTES = _env("IMPORT_MAX_UNCOMPRESSED_BYTES", env.int, 100 * 1024 * 1024)
IMPORT_MAX_SHARED_STRINGS_BYTES = _env("IMPORT_MAX_SHARED_STRINGS_BYTES", env.int, 20 * 1024 * 1024)
# Physical rows of the sheet, empty ones included (a ledger has at most 50,000 rows of data).
IMPORT_MAX_SHEET_ROWS = _env("IMPORT_MAX_SHEET_ROWS", env.int, 200_000)
# Photos of sites and rectifications: a phone photo is 2–6 MB; larger ones are refused with a message.
UPLOAD_IMAGE_MAX_BYTES = _env("UPLOAD_IMAGE_MAX_BYTES", env.int, 8 * 1024 * 1024)
# A 48 MP phone camera takes 8000×6000; a small PNG can declare 12000×12000 and cost 576 MB decoded.
UPLOAD_IMAGE_MAX_PIXELS = _env("UPLOAD_IMAGE_MAX_PIXELS", env.int, 50_000_000)

# 多头检查/重复检查: warn when another unit inspected the same enterprise within this many days.
INSPECTION_REPEAT_DAYS = _env("INSPECTION_REPEAT_DAYS", env.int, 30)
# The day the office starts working in the system: imported inspections dated from then on must meet the
# 执法证 rule like entered ones; older imported enforcement inspections whose team cannot be verified
# (people without accounts) are imported and flagged 执法证未核验.
INSPECTION_CERT_RULE_FROM = _env(
    "INSPECTION_CERT_RULE_FROM",
    lambda name, default: date.fromisoformat(env.str(name, default)),
    "2026-01-01",
)

# 执法文书文号: {unit_short} the issuing unit's 简称 (else its name), {kind_short} the kind's 编号简称,
# {year}, {n} the serial (a format spec is allowed: {n:03d}). See enforcement/numbering.py.
ENFORCEMENT_DOCUMENT_NUMBER_PATTERN = _env(
    "ENFORCEMENT_DOCUMENT_NUMBER_PATTERN", env.str, "{unit_short}{kind_short}〔{year}〕{n}号"
)

SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", env.bool, not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A session lasts a working day, not Django's two weeks; closing the browser does not end it.
SESSION_COOKIE_AGE = _env("SESSION_COOKIE_AGE_HOURS", env.int, 8) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: forms carry the token, and our fetch() calls read it from the form.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS: off by default (the demo runs on plain http); production sets them (README, 生产部署).
SECURE_SSL_REDIRECT = _env("SECURE_SSL_REDIRECT", env.bool, False)
SECURE_HSTS_SECONDS = _env("SECURE_HSTS_SECONDS", env.int, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env("SECURE_HSTS_INCLUDE_SUBDOMAINS", env.bool, False)
SECURE_HSTS_PRELOAD = _env("SECURE_HSTS_PRELOAD", env.bool, False)
# A district office's site is not submitted to the browsers' HSTS preload list (an intranet name cannot
# be); `check --deploy` need not remind us. An operator with a public domain sets SECURE_HSTS_PRELOAD.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Trust X-Forwarded-Proto only when a TLS-terminating proxy sets it (and strips the client's own):
# otherwise any client could claim https.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env("TRUST_X_FORWARDED_PROTO", env.bool, False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (core.middleware): our pages have no inline script nor event handler, so
# scripts come from our origin only. Styles allow 'unsafe-inline' because progress bars draw their
# width with a style="" attribute and Swagger UI and the admin set inline styles; a style cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

# Celery: without a broker the tasks run inline, so the demo needs no Redis.
CELERY_BROKER_URL = _env("CELERY_BROKER_URL", env.str, "")
CELERY_RESULT_BACKEND = _env("CELERY_RESULT_BACKEND", env.str, CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = _env("CELERY_TASK_ALWAYS_EAGER", env.bool, not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died (killed, out of memory) goes back to the queue rather than being lost.
# Import jobs make this safe (core.tasks: a heartbeat, and claims that count attempts).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process is replaced after this many tasks: a safety net against memory a C library keeps. The
# leaks found are fixed (core.pdf, core.memory: 50 annual summaries in one process stay flat,
# docs/performance.md); a new process loads its fonts again, so not too often.
CELERY_WORKER_MAX_TASKS_PER_CHILD = _env("CELERY_WORKER_MAX_TASKS_PER_CHILD", env.int, 100)
# A dead or hung Redis costs a page a few seconds, never a hang: connecting gives up after 3 s, a
# silent socket after 5 s, and publishing retries once. The caller then says so (core.tasks).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    # A message taken by a worker that died is handed out again after this many seconds (Redis has no
    # real acknowledgements). Longer than CELERY_TASK_TIME_LIMIT, so a long task is not run twice.
    "visibility_timeout": _env("CELERY_VISIBILITY_TIMEOUT", env.int, 35 * 60),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_REDIS_SOCKET_TIMEOUT = 5
# Import jobs (core.tasks): a running job writes a heartbeat every IMPORT_JOB_HEARTBEAT_SECONDS; one
# silent for IMPORT_JOB_STALE_SECONDS lost its worker and is run again (nothing of it was written), at
# most IMPORT_JOB_MAX_ATTEMPTS times, then failed with "导入中断". A job still queued after
# IMPORT_JOB_REQUEUE_SECONDS (its message lost with Redis) is queued again.
IMPORT_JOB_HEARTBEAT_SECONDS = _env("IMPORT_JOB_HEARTBEAT_SECONDS", env.float, 10.0)
IMPORT_JOB_STALE_SECONDS = _env("IMPORT_JOB_STALE_SECONDS", env.float, 60.0)
IMPORT_JOB_MAX_ATTEMPTS = _env("IMPORT_JOB_MAX_ATTEMPTS", env.int, 3)
IMPORT_JOB_REQUEUE_SECONDS = _env("IMPORT_JOB_REQUEUE_SECONDS", env.float, 600.0)
CELERY_BEAT_SCHEDULE: dict = {
    # Nightly, after the day has turned in Asia/Shanghai (CELERY_TIMEZONE): flag overdue hazards, notify.
    "hazards-mark-overdue": {
        "task": "hazards.tasks.mark_overdue_hazards",
        "schedule": crontab(hour=1, minute=0),
    },
    # Nightly: flag general-procedure cases near (10 days) or past their 90-day limit, tell the officers.
    "enforcement-flag-case-deadlines": {
        "task": "enforcement.tasks.flag_case_deadlines",
        "schedule": crontab(hour=1, minute=10),
    },
    # Nightly: the tallied tables' row counts folded into one row each (core.tallies).
    "core-compact-row-tallies": {
        "task": "core.tasks.compact_row_tallies",
        "schedule": crontab(hour=3, minute=0),
    },
    # Every minute: import jobs that could not be queued, lost their message or their worker.
    "core-recover-import-jobs": {
        "task": "core.tasks.recover_import_jobs",
        "schedule": 60.0,
    },
    # Nightly: the figures (roll-ups) of this month, quarter, half and year for the district and every
    # township and department, and the periods just ended, settled (reports.tasks; one task per pair).
    "reports-rollup-nightly": {
        "task": "reports.tasks.rollup_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every 10 minutes: recompute the roll-ups marked stale by records entered late, or by 重新计算.
    "reports-recompute-stale": {
        "task": "reports.tasks.rollups_recompute_stale",
        "schedule": 600.0,
    },
}

# Notifications beyond the bell (accounts.delivery): e-mail through Django's mail backend. The default
# backend prints to the console, so nothing leaves the machine until an SMTP server is configured.
EMAIL_BACKEND = _env("EMAIL_BACKEND", env.str, "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = _env("EMAIL_HOST", env.str, "localhost")
EMAIL_PORT = _env("EMAIL_PORT", env.int, 25)
EMAIL_HOST_USER = _env("EMAIL_HOST_USER", env.str, "")
EMAIL_HOST_PASSWORD = _env("EMAIL_HOST_PASSWORD", env.str, "")
EMAIL_USE_TLS = _env("EMAIL_USE_TLS", env.bool, False)
EMAIL_USE_SSL = _env("EMAIL_USE_SSL", env.bool, False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("环境变量 EMAIL_USE_TLS 与 EMAIL_USE_SSL 只能设置一个为 true。")
EMAIL_TIMEOUT = _env("EMAIL_TIMEOUT", env.int, 10)
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", env.str, "webmaster@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people open the system at (https://aq.example.gov.cn): links in e-mails and robot
# messages are made absolute with it. Empty: the message carries the page's path only.
SITE_URL = _env("SITE_URL", env.str, "")

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing or bad token answer 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    # An invalid filter value answers 400, never silently lists everything (core.filters).
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, with every operation's 400/401/403/404/409 documented (core.schema).
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    # A service's ValidationError / PermissionDenied answer 400 by field, 409 for a stale state, 403.
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "区安全生产工作台账 API",
    "DESCRIPTION": "生产经营单位、组织单位及后续台账的接口。所有数据按当前用户的可见范围过滤。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page are for signed-in users only (a session or a token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The docs page loads Swagger UI from our own static files: intranets have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EnterpriseStatusEnum": "accounts.choices.EnterpriseStatus",
        "InspectionActionStatusEnum": "inspections.choices.ActionStatus",
        # OrgUnit.kind keeps its name although the hazard timeline has a "kind" field too.
        "KindEnum": "accounts.choices.OrgKind",
        "HazardLevelEnum": "hazards.choices.HazardLevel",
        "HazardSourceEnum": "hazards.choices.HazardSource",
        "HazardStateEnum": "hazards.choices.HazardState",
        "HazardEventKindEnum": "hazards.choices.EventKind",
        "HazardListingLevelEnum": "hazards.choices.ListingLevel",
        "HazardExtensionStatusEnum": "hazards.choices.ExtensionStatus",
        "HazardPhotoStageEnum": "hazards.choices.PhotoStage",
        "WorkStatusEnum": "accounts.choices.WorkStatus",
        "ActivityKindEnum": "campaigns.choices_activities.ActivityKind",
        "TalkTargetKindEnum": "campaigns.choices_activities.TalkTargetKind",
        "ActivityAttachmentKindEnum": "campaigns.choices_activities.AttachmentKind",
        "DutyCategoryEnum": "accounts.choices.DutyCategory",
        "CaseStateEnum": "enforcement.choices.CaseState",
        "CaseProcedureEnum": "enforcement.choices.CaseProcedure",
        "CaseSourceEnum": "enforcement.choices.CaseSource",
        "CaseEventKindEnum": "enforcement.choices.CaseEventKind",
        "PenaltyKindEnum": "enforcement.choices.PenaltyKind",
        "PenaltyTargetEnum": "enforcement.choices.PenaltyTarget",
        "MeasureKindEnum": "enforcement.choices.MeasureKind",
        "MeasureStopKindEnum": "enforcement.choices.StopKind",
        "DocumentStateEnum": "enforcement.document_layouts.DocumentState",
        "DocumentLayoutEnum": "enforcement.document_layouts.LAYOUT_CHOICES",
        "ReportKindEnum": "reports.models.ReportKind",  # 工作总结
        "ReportStateEnum": "reports.models.ReportState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", env.str, "INFO")},
    # WeasyPrint and fontTools narrate every rendering step at INFO; only their problems are news.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Logins, logouts and every export, one JSON line each (accounts.audit, core.audit): keep at INFO
        # whatever LOG_LEVEL says, and ship it with the rest of the log (README, 生产部署).
        "safety.audit": {"level": "INFO"},
    },
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MEDIA_ROOT = VAR_DIR / "test-media"
