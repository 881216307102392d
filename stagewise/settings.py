"""Stagewise settings: everything comes from the environment.

With no environment at all the project runs on SQLite under ``var/``, Celery on an embedded
(filesystem) broker, files under ``var/media/`` (an S3 bucket once ``AWS_STORAGE_BUCKET_NAME`` is set) and mail
written to ``var/mail/``.
"""

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url

from stagewise.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STAGEWISE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/ (never in the repo)."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _generated_once(path: Path, make: Callable[[], bytes]) -> str:
    """The contents of ``path``, made by ``make`` the first time. The file appears whole and private (written aside
    with mode 0600, then linked into place), so processes starting at once all read the same key."""
    if not path.exists():
        aside = path.with_name(f".{path.name}.{os.getpid()}")
        with open(os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            file.write(make())
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process was first: its key stands
        finally:
            aside.unlink()
    return path.read_text()


def _credentials_signing_key() -> str:
    """The issuer's Ed25519 private key (its 32-byte seed, hex) from the environment, else one generated once and kept
    in var/ like the secret key. Never in the database: whoever can read a row must not be able to issue badges."""
    key = env_str("CREDENTIALS_SIGNING_KEY")
    if key:
        return key.strip()
    return _generated_once(VAR_DIR / "credentials_signing_key", lambda: secrets.token_hex(32).encode()).strip()


def _rsa_private_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _credentials_jwt_key() -> str:
    """The issuer's RSA private key (PEM) for the optional VC-JWT (RS256) form of credentials, from the environment
    (newlines may be written as \\n), else one generated once and kept in var/."""
    key = env_str("CREDENTIALS_JWT_KEY")
    if key:
        return key.replace("\\n", "\n")
    return _generated_once(VAR_DIR / "credentials_jwt_key.pem", _rsa_private_key_pem)


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts.apps.StagewiseAdminConfig",  # django.contrib.admin, its login throttled like the site's
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its Swagger UI files, so /api/v1/docs is served from the site, never from a CDN
    "stagewise",  # the mail log, below every app
    "accounts",
    "content",
    "cohorts",
    "billing",
    "alumni",
]

MIDDLEWARE = [
    "stagewise.timing.ServerTimingMiddleware",  # only with SERVER_TIMING=1
    "django.middleware.security.SecurityMiddleware",  # HSTS, the HTTPS redirect (SECURE_* below)
    "stagewise.security.SecurityHeadersMiddleware",  # Content-Security-Policy; no-store for signed-in responses
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "alumni.records.middleware.AcquisitionMiddleware",  # the first visit's referral, campaign link or UTM
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stagewise.middleware.ApiErrorShapeMiddleware",
    "stagewise.middleware.PageErrorMiddleware",
]

ROOT_URLCONF = "stagewise.urls"
WSGI_APPLICATION = "stagewise.wsgi.application"
ASGI_APPLICATION = "stagewise.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "stagewise.jinja2.environment",
            "extensions": ["jinja2.ext.i18n"],
            "autoescape": True,
            # The instructor's "Teach" link counts the applications waiting for them; the navigation's
            # unread-notification count (each counted only when a page shows it).
            "context_processors": [
                "cohorts.context_processors.teach_applications",
                "accounts.context_processors.notifications",
            ],
        },
    },
    {
        # The Django admin ships Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'stagewise.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# On PostgreSQL, DB_PREPARED_STATEMENTS=1 binds parameters server-side and prepares a statement a connection has run
# 5 times, so PostgreSQL plans it once. Off by default (Django's default): safe behind a connection pooler that
# doesn't keep prepared statements (PgBouncer in transaction mode before 1.21).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
# A Server-Timing header on every response: our side, database, payment provider (stagewise.timing).
SERVER_TIMING = env_bool("SERVER_TIMING", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (timeout) instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "stagewise_language"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Files (check-in photos, lesson attachments, receipts, certificates) go through the storage API only: under
# MEDIA_ROOT by default; in an S3-compatible bucket, shared by every web and worker machine, once a bucket is named.
# The bucket stays private: readers get a signed URL that expires after AWS_QUERYSTRING_EXPIRE seconds.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_QUERYSTRING_EXPIRE = env_int("AWS_QUERYSTRING_EXPIRE", 300)
DEFAULT_STORAGE: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Unset keys and region: boto3's own chain (instance role, ~/.aws, AWS_* variables) decides.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            "location": env_str("AWS_LOCATION"),
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": AWS_QUERYSTRING_EXPIRE,
            "file_overwrite": False,  # as on the filesystem: a name taken gets a suffix, nothing is replaced
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Cache (rate limits, shared across processes): Redis when configured, else files under var/.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Mail: a local outbox (one file per message under var/mail/) unless EMAIL_URL names an SMTP server.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Stagewise <no-reply@stagewise.local>")
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    _mail = urlparse(EMAIL_URL)
    _query = parse_qs(_mail.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "127.0.0.1"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "submission" or "tls" in _query
    EMAIL_USE_SSL = _mail.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Celery: an embedded filesystem broker by default, Redis/RabbitMQ with CELERY_BROKER_URL.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue = VAR_DIR / "celery" / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# Billing. Without STRIPE_SECRET_KEY the app talks to localstripe on loopback (STRIPE_API_BASE), with a test-card form.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
# The localstripe default is public: with a real key it must be set (system check billing.E001 refuses to start).
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "" if env_str("STRIPE_SECRET_KEY") else "whsec_localstripe")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "" if env_str("STRIPE_SECRET_KEY") else "http://127.0.0.1:8420")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env_int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300)
BILLING_SEAT_HOLD_MINUTES = env_int("BILLING_SEAT_HOLD_MINUTES", 30)
BILLING_WAITLIST_OFFER_MINUTES = env_int("BILLING_WAITLIST_OFFER_MINUTES", 24 * 60)
BILLING_PAYMENT_DEADLINE_DAYS = env_int("BILLING_PAYMENT_DEADLINE_DAYS", 7)
BILLING_REFERRAL_DISCOUNT_PERCENT = env_int("BILLING_REFERRAL_DISCOUNT_PERCENT", 10)
BILLING_REFERRAL_CREDIT_PERCENT = env_int("BILLING_REFERRAL_CREDIT_PERCENT", 10)
BILLING_REFUND_PARTIAL_PERCENT = env_int("BILLING_REFUND_PARTIAL_PERCENT", 50)
BILLING_REFUND_PARTIAL_UNTIL_DAY = env_int("BILLING_REFUND_PARTIAL_UNTIL_DAY", 3)

# Alumni segments: dynamic segments are recomputed when older than this (the beat looks every 5 minutes), under a
# lease another worker takes over once it expires.
ALUMNI_SEGMENT_REFRESH_MINUTES = env_int("ALUMNI_SEGMENT_REFRESH_MINUTES", 60)
ALUMNI_SEGMENT_LEASE_SECONDS = env_int("ALUMNI_SEGMENT_LEASE_SECONDS", 600)

# The end of a cohort: hours the instructor has to review (and override) the completion outcomes before
# certificates, refunds and offers go out.
COHORT_REVIEW_HOURS = env_int("COHORT_REVIEW_HOURS", 48)
# After a month's awards are computed, how long the instructor may withhold one before they are published.
AWARDS_REVIEW_HOURS = env_int("AWARDS_REVIEW_HOURS", 72)

# Campaigns: at most this many campaign mails per learner in any 7 days (more are "capped", not sent).
CAMPAIGNS_WEEKLY_CAP = env_int("CAMPAIGNS_WEEKLY_CAP", 2)

# Outgoing chat-group webhooks. Loopback/private addresses are refused unless allowed (local demos, tests).
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", DEBUG)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5)

# Verifiable credentials (Open Badges 3.0): the issuer's signing key, name, and the largest credential we verify.
CREDENTIALS_SIGNING_KEY = _credentials_signing_key()
CREDENTIALS_JWT_KEY = _credentials_jwt_key()
CREDENTIALS_ISSUER_NAME = env_str("CREDENTIALS_ISSUER_NAME", "Stagewise")
CREDENTIALS_MAX_DOCUMENT_BYTES = env_int("CREDENTIALS_MAX_DOCUMENT_BYTES", 64 * 1024)

# Login rate limit: attempts per window, per account and per client address.
LOGIN_RATE_LIMIT = env_int("LOGIN_RATE_LIMIT", 5)
LOGIN_RATE_WINDOW_SECONDS = env_int("LOGIN_RATE_WINDOW_SECONDS", 300)

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind HTTPS: redirect plain HTTP, and tell browsers to use only HTTPS for a while (start small: a long HSTS can't
# be taken back from browsers that saw it).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
