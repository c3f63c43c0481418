"""Settings, read once from the environment.

Every setting comes from an environment variable (README.md lists them all). With none set, a fresh
checkout runs at once: SQLite under var/, Celery eager, DEBUG on. A malformed value stops start-up
with a message that names the variable, rather than running half-configured.
"""

import sys
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
# Photos of sites and rectifications: a phone photo is 2–6 MB; larger ones are refused with a message.
UPLOAD_IMAGE_MAX_BYTES = _env("UPLOAD_IMAGE_MAX_BYTES", env.int, 8 * 1024 * 1024)

# 多头检查/重复检查: warn when another unit inspected the same enterprise within this many days.
INSPECTION_REPEAT_DAYS = _env("INSPECTION_REPEAT_DAYS", env.int, 30)

SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", env.bool, not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Celery: without a broker the tasks run inline, so the demo needs no Redis.
CELERY_BROKER_URL = _env("CELERY_BROKER_URL", env.str, "")
CELERY_RESULT_BACKEND = _env("CELERY_RESULT_BACKEND", env.str, CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = _env("CELERY_TASK_ALWAYS_EAGER", env.bool, not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE: dict = {
    # Nightly, after the day has turned in Asia/Shanghai (CELERY_TIMEZONE): flag overdue hazards, notify.
    "hazards-mark-overdue": {
        "task": "hazards.tasks.mark_overdue_hazards",
        "schedule": crontab(hour=1, minute=0),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A service's ValidationError / PermissionDenied answer 400 by field, 409 for a stale state, 403.
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "区安全生产工作台账 API",
    "DESCRIPTION": "生产经营单位、组织单位及后续台账的接口。所有数据按当前用户的可见范围过滤。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
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
    },
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    MEDIA_ROOT = VAR_DIR / "test-media"
