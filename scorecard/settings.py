"""Settings for the ASEAN AI Governance Scorecard.

One module, driven by environment variables only (twelve-factor). Development and production
differ by environment, never by code: see docs/deploy.md for the full list of variables.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Why: a production server must never run on a key that is in the repository.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment, or DEBUG=1 for development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address e-mails sent outside a request (action reminders) link to; see services.actions.site_url.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin: the reference content in five languages (see its block below)
    "scorecard.admin_site.ScorecardAdminConfig",  # django.contrib.admin, content tables first
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "frameworks",
    "scorecard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages and downloads for a logged-in person: Cache-Control: private, no-store.
    "scorecard.middleware.private_no_store",
    # A logged-in person's own language choice over the cookie and Accept-Language (LocaleMiddleware, above).
    "scorecard.middleware.account_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "scorecard.accounts.OrganisationMfaMiddleware",
    "scorecard.accounts.AccountMailMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scorecard.urls"
WSGI_APPLICATION = "scorecard.wsgi.application"

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
                "django.template.context_processors.i18n",
                "scorecard.context_processors.navigation",
            ],
        },
    },
]

# SQLite by default (zero set-up); PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Why: answers autosave from several tabs at once; WAL and a busy timeout stop "database is
    # locked" errors under that kind of concurrent writing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "scorecard.validators.PasswordNotEmailValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Accounts (django-allauth): log in by e-mail (any letter case), a confirmed address before the first log-in,
# password reset and sign-up that never say whether an address has an account, TOTP with recovery codes.
ACCOUNT_ADAPTER = "scorecard.accounts.AccountAdapter"
ACCOUNT_FORMS = {"signup": "scorecard.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Account e-mails' subjects start with the site's name in the e-mail's language (AccountAdapter.format_email_subject).
ACCOUNT_RATE_LIMITS = {
    # allauth's per-account limit on wrong passwords would let anyone lock a person out from anywhere; django-axes
    # locks the account only for the address that failed (below). allauth keeps its per-address limit.
    "login_failed": "10/m/ip",
    # Wrong two-factor codes count per account (only someone with the password gets that far).
    "mfa_failed": "5/5m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {"authenticate": "scorecard.accounts.MfaAuthenticateForm"}
MFA_TOTP_ISSUER = "ASEAN AI Scorecard"

# The number of reverse proxies in front that append to X-Forwarded-For (docs/deploy.md): the client's address
# is the PROXY_COUNT-th from the right. 0 trusts no header and uses the connection's address. Log-in lockout and
# allauth's rate limits both go by it (scorecard.accounts.client_address).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

# Login throttling: lock an account out for one client address after repeated failures there, so that wrong
# passwords typed elsewhere never lock out its owner. A password reset lifts the lockout.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "scorecard.accounts.lockout_username"
AXES_CLIENT_IP_CALLABLE = "scorecard.accounts.client_address"

LANGUAGE_CODE = "en"
# The interface, the reference content and the PDF in five languages (locale/README.md: adding a sixth). Each
# language is named in itself, as a language switcher shows it.
LANGUAGES = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
    ("vi", "Tiếng Việt"),
    ("th", "ไทย"),
]
# The catalogues: locale/<lang>/LC_MESSAGES/django.po, compiled to .mo by `make setup` and the Docker build.
LOCALE_PATHS = [BASE_DIR / "locale"]
# The header's switcher sets this cookie (Django's set_language); a logged-in person's choice is also kept on
# their account (scorecard/languages.py). No script reads it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Cached PDFs and bulk-export zips. The file system (never served by the web server: downloads go through
    # views that check access) on one machine; a shared volume or an S3-compatible bucket for several nodes,
    # e.g. REPORTS_STORAGE_BACKEND=storages.backends.s3.S3Storage with REPORTS_STORAGE_OPTIONS as JSON
    # (docs/deploy.md).
    "reports": {
        "BACKEND": os.environ.get("REPORTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ["REPORTS_STORAGE_OPTIONS"])
        if os.environ.get("REPORTS_STORAGE_OPTIONS")
        else {"location": str(MEDIA_ROOT / "reports"), "base_url": None},
    },
    # Evidence files that organisations upload (docs/workspace.md): like the reports, never served by the web
    # server, only through the view that checks access. EVIDENCE_STORAGE_BACKEND/OPTIONS as for the reports.
    "evidence": {
        "BACKEND": os.environ.get("EVIDENCE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ["EVIDENCE_STORAGE_OPTIONS"])
        if os.environ.get("EVIDENCE_STORAGE_OPTIONS")
        else {"location": str(MEDIA_ROOT / "evidence"), "base_url": None},
    },
}
# The largest evidence file accepted, in bytes (docs/workspace.md).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
# Why: tests and `runserver` run without collectstatic; fall back to unhashed names there.
WHITENOISE_MANIFEST_STRICT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Background work (bulk PDF exports). Immediate in development, a database queue in production
# with `manage.py db_worker` as the worker.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend" if DEBUG else "django_tasks_db.DatabaseBackend",
        ),
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail: the console in development, SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds to wait for the SMTP server: a hung one must not hold a web worker (Django's default is forever).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "scorecard@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Content Security Policy without inline script or style (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never from the cookie
if not DEBUG:
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# The reference content in five languages (django-modeltranslation, docs/translations.md). The fields that
# frameworks/translation.py registers get a column per language in LANGUAGES (`text_th` ...); reading `q.text` gives
# the active language's value, else English, field by field. English is the content itself (the YAML files, scoring,
# publishing); the other languages are loaded from the edition's translations/<language>/ folder.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# A content record created with `text=...` fills the English column whatever language is active.
MODELTRANSLATION_AUTO_POPULATE = "default"

# Product settings.
REPORT_MAX_LOGO_BYTES = 512 * 1024
# Reports are always tagged PDFs (structure, language, title). REPORT_PDF_UA=1 also declares PDF/UA-1
# conformance, which costs about a tenth more rendering time (docs/performance.md).
REPORT_PDF_UA = env_bool("REPORT_PDF_UA", False)
# Render a report in the background when its assessment is submitted, so the first download comes from
# the cache. Off in development, where tasks run immediately and would make submitting wait for it.
REPORT_PRERENDER = env_bool("REPORT_PRERENDER", not DEBUG)
# Where an uncached report is rendered when someone downloads it. Off (production): a task worker renders it
# while the page shows progress, so no web worker is ever held for seconds. On (development, where tasks run
# immediately anyway): the download renders it in the request.
REPORT_RENDER_IN_REQUEST = env_bool("REPORT_RENDER_IN_REQUEST", DEBUG)
# Cached PDFs older than this are deleted by `manage.py cleanup_exports`; a later download renders again.
REPORT_CACHE_DAYS = int(os.environ.get("REPORT_CACHE_DAYS", "30"))
# The most reports one bulk export may hold, and how long its zip stays downloadable.
BULK_EXPORT_MAX_REPORTS = int(os.environ.get("BULK_EXPORT_MAX_REPORTS", "200"))
EXPORT_ARCHIVE_DAYS = int(os.environ.get("EXPORT_ARCHIVE_DAYS", "7"))
# Rows per page on the consultant portfolio and the bulk-export page.
PORTFOLIO_PAGE_SIZE = int(os.environ.get("PORTFOLIO_PAGE_SIZE", "25"))
INVITATION_MAX_AGE_DAYS = 14
# A country fact, requirement or instrument checked longer ago than this is flagged as stale in pages, the
# PDF and the admin's "stale facts" list (docs/admin-guide.md).
CONTENT_STALE_AFTER_DAYS = int(os.environ.get("CONTENT_STALE_AFTER_DAYS", "180"))
# The largest assessment JSON file an import accepts, checked before the file is read (docs/json-format.md).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
