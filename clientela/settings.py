"""Clientela settings: one module, driven by ``CLIENTELA_*`` environment variables.

See the README for the list; everything has a safe default so ``clientela serve`` runs on a
fresh machine with SQLite under ``CLIENTELA_DATA_DIR``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env(name, default=None):
    """``CLIENTELA_<name>``; set but empty counts as unset (``FOO= clientela serve``)."""
    return os.environ.get(f"CLIENTELA_{name}") or default


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("DATA_DIR", "./clientela-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key():
    """Take the key from the environment; otherwise keep a generated one in the data dir.

    A self-hosted install must start with nothing configured, and sessions must survive a restart.
    """
    if key := env("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "clientela.core",
    "clientela.contacts",
    "clientela.sales",
    "clientela.activities",
    "clientela.intake",
    "clientela.support",
    "clientela.marketing",
    "clientela.automation",
    "clientela.collaboration",
    "clientela.analytics",
]

MIDDLEWARE = [
    "clientela.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clientela.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clientela.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clientela.urls"
WSGI_APPLICATION = "clientela.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clientela.core.context_processors.navigation",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'clientela.sqlite3'}"), conn_max_age=600
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file shared by the web process and the worker: WAL lets readers run beside a writer,
    # IMMEDIATE transactions and a busy timeout make concurrent writers wait instead of failing.
    # Page cache (16 MB) and memory map (64 MB) are per connection and count in the web
    # process's memory: larger ones bought no speed on the benchmark but 100 MB more at peak.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-16384; PRAGMA mmap_size=67108864; PRAGMA temp_store=MEMORY;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_FILE")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- cache, background tasks -------------------------------------------------------------------

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    INSTALLED_APPS.append("django_rq")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# ``{% cache %}`` fragments are blank forms that only change with the code: kept per process,
# so a new release never serves the last one's.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
}

# --- auth, sign-in throttling, security ---------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Clientela"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- internationalisation ------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("ca", _("Catalan"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True

# --- static files, e-mail ------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it, even when serving from finders
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the installed packages, no collectstatic step

EMAIL_URL = env("EMAIL_URL", "console://")
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "127.0.0.1"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("FROM_EMAIL", "clientela@localhost")
# Campaign messages per second through the mail server, shared by every worker (0: no limit).
EMAIL_RATE = float(env("EMAIL_RATE", "0"))
# How many senders a campaign starts with (each a job; run as many workers to use them all).
CAMPAIGN_SENDERS = int(env("CAMPAIGN_SENDERS", "2"))
# E-mail capture: a captured attachment larger than this is recorded by name and size only; a
# message larger than the message limit is captured without its body and attachments.
MAIL_MAX_ATTACHMENT_BYTES = int(env("MAIL_MAX_ATTACHMENT_BYTES", str(25 * 1024 * 1024)))
MAIL_MAX_MESSAGE_BYTES = int(env("MAIL_MAX_MESSAGE_BYTES", str(50 * 1024 * 1024)))
# The address people open Clientela at (``https://crm.example.com``), for links in e-mails sent
# by background jobs (reminders); without it those e-mails carry no link.
BASE_URL = env("BASE_URL", "")

# --- REST API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clientela.core.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clientela.core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "clientela.core.api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clientela.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clientela API",
    "DESCRIPTION": "REST API of Clientela, the open-source CRM.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several fields are called "source" or "kind": name each choice set after what it means.
    "ENUM_NAME_OVERRIDES": {
        "SourceChannelEnum": "clientela.contacts.choices.SourceChannel",
        "LifecycleStageEnum": "clientela.contacts.choices.LifecycleStage",
        "ChangeSourceEnum": "clientela.core.choices.ChangeSource",
        "EmailKindEnum": "clientela.contacts.choices.EmailKind",
        "PhoneKindEnum": "clientela.contacts.choices.PhoneKind",
        "StageKindEnum": "clientela.sales.choices.StageKind",
        "ConsentActionEnum": "clientela.contacts.choices.ConsentAction",
        "CaseStatusEnum": "clientela.support.choices.CaseStatus",
        "ArticleStatusEnum": "clientela.support.models.knowledge.ArticleStatus",
        "TemplatePurposeEnum": "clientela.marketing.choices.TemplatePurpose",
        "ConsentPurposeEnum": "clientela.contacts.choices.ConsentPurpose",
        "LanguageEnum": "clientela.settings.LANGUAGES",
        "WebhookDeliveryStatusEnum": "clientela.automation.choices.DeliveryStatus",
        "PointsKindEnum": "clientela.marketing.choices.PointsKind",
        "WorkflowRunStatusEnum": "clientela.automation.choices.RunStatus",
        "WorkflowEntityEnum": "clientela.automation.choices.WorkflowEntity",
        "SequenceStatusEnum": "clientela.marketing.choices.SequenceStatus",
        "EnrollmentStatusEnum": "clientela.marketing.choices.EnrollmentStatus",
        "StepKindEnum": "clientela.marketing.choices.StepKind",
        "SequenceTriggerEnum": "clientela.marketing.choices.SequenceTrigger",
        "WorkflowTriggerEnum": "clientela.automation.choices.TriggerKind",
    },
}

# --- Clientela ------------------------------------------------------------------------------------

TRASH_RETENTION_DAYS = int(env("TRASH_RETENTION_DAYS", "30"))
# A case waiting this many days for the customer is closed, with a notice to them (0: never).
SUPPORT_AUTO_CLOSE_DAYS = int(env("SUPPORT_AUTO_CLOSE_DAYS", "7"))
# Amounts in other currencies are converted to this one for totals, reports and the forecast.
BASE_CURRENCY = env("BASE_CURRENCY", "EUR").upper()
# Outgoing webhooks may target private, loopback and link-local addresses (an ERP on the office
# network). Off by default: a webhook must not be a way to reach the machines behind Clientela.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE")
API_MAX_BODY_BYTES = 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "clientela.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
