"""Settings for govcases.

Every deployment value comes from the environment; the defaults are for development on one machine
(SQLite, console e-mail, media on local disk). See docs/deploy.md for production.
"""

import os
from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "django-insecure-govcases-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "govcases.apps.OrganiserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "govcases.apps.GovcasesConfig",
    "reviews.apps.ReviewsConfig",
    "accounts.apps.AccountsConfig",
    "evaluation.apps.EvaluationConfig",
    # Last: the demo imports every app, and none imports it.
    "demo.apps.DemoConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "govcases.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "govcases.middleware.SignedInPagesPrivateMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govcases.urls"
WSGI_APPLICATION = "govcases.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# How long a request waits for a lock held by another before it gives up: the portal's form then comes back
# as typed, with "try again" (govcases.views), instead of a request that hangs.
DATABASE_LOCK_TIMEOUT = int(os.environ.get("DATABASE_LOCK_TIMEOUT", "20"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads of the development server write at once; wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = DATABASE_LOCK_TIMEOUT
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
    if not env_bool("SQLITE_CREATE", True):
        # Open an existing file only (the app servers, govcases/wsgi.py): SQLite would create a missing one.
        DATABASES["default"]["NAME"] = f"file:{quote(str(DATABASES['default']['NAME']))}?mode=rw"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_LOCK_TIMEOUT:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={DATABASE_LOCK_TIMEOUT}s"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "govcases.backends.PasswordBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home-after-login"
LOGOUT_REDIRECT_URL = "public:home"

# Login throttling (django-axes, counted in the database so that every app server sees the same failures).
# A user name is locked only together with the address the failures came from, so that nobody can lock an
# account from elsewhere; one address is also stopped after too many failures across all user names.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "accounts.throttling.AddressLimitedDatabaseHandler"
# The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies that each append to
# X-Forwarded-For, the address the outermost proxy saw (accounts/addresses.py); see docs/deploy.md.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"
# Password reset e-mails per hour: per requesting address (every request counts) and per account (sent mails).
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3"))

# Two-factor sign-in (TOTP with backup codes, django-otp) for organisers and reviewers: on by default in
# production; benchmarks and scripted checks set TWO_FACTOR_REQUIRED=0.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "govcases")
# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_LIFETIME_HOURS after signing in.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_LIFETIME_HOURS", "12")) * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Our catalogue, then Chinese for Django's own strings its catalogue lacks (kept apart: see its header).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "upstream"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded files are reached only through the view at MEDIA_URL (govcases.files), which checks who may read
# them. Behind nginx, set MEDIA_ACCEL_REDIRECT to the internal location that serves MEDIA_ROOT (docs/deploy.md):
# the view then answers with X-Accel-Redirect and nginx sends the bytes.
MEDIA_URL = "/files/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    # Media on S3-compatible object storage, so that several app servers share uploaded files.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # MinIO and some other S3-compatible stores need "path"; AWS and most clouds take the default.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION") or None,
            # Private bucket: files are reached only through signed links that expire (unpublished cases'
            # images must not be guessable). Credentials come from boto3's usual environment variables.
            "default_acl": None,
            "querystring_auth": True,
            # Longer than the public pages' cache (an hour), which keeps the signed links it was built with.
            "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", str(6 * 60 * 60))),
            "file_overwrite": False,
        },
    }


def s3_media_origins(bucket: str, endpoint: str | None, region: str | None) -> list[str]:
    """The origins signed media links point at (path or virtual-host style), for the CSP's img-src."""
    if endpoint:
        scheme, _, host = endpoint.rstrip("/").partition("://")
        return [f"{scheme}://{host}", f"{scheme}://{bucket}.{host}"]
    regional = [f"https://{bucket}.s3.{region}.amazonaws.com"] if region else []
    return [f"https://{bucket}.s3.amazonaws.com", *regional]


# Media served from elsewhere (the object store) must be allowed by the Content-Security-Policy.
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS", "")
if os.environ.get("AWS_STORAGE_BUCKET_NAME") and not CSP_MEDIA_ORIGINS:
    CSP_MEDIA_ORIGINS = s3_media_origins(
        os.environ["AWS_STORAGE_BUCKET_NAME"],
        os.environ.get("AWS_S3_ENDPOINT_URL"),
        os.environ.get("AWS_S3_REGION_NAME"),
    )

# The cache holds only what can be rebuilt. With several app servers use "database" (run `createcachetable`)
# so that every server sees the same entries; "locmem" is per process, "file" per machine.
CACHE_BACKENDS = {
    "locmem": ("django.core.cache.backends.locmem.LocMemCache", "govcases"),
    "database": ("django.core.cache.backends.db.DatabaseCache", "govcases_cache"),
    "file": ("django.core.cache.backends.filebased.FileBasedCache", str(BASE_DIR / "cache")),
}
CACHE_BACKEND = os.environ.get("CACHE_BACKEND") or ("file" if os.environ.get("CACHE_DIR") else "locmem")
if CACHE_BACKEND not in CACHE_BACKENDS:
    raise ImproperlyConfigured(
        f"CACHE_BACKEND must be one of {', '.join(CACHE_BACKENDS)}, not {CACHE_BACKEND!r}."
    )
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKENDS[CACHE_BACKEND][0],
        "LOCATION": os.environ.get("CACHE_LOCATION")
        or os.environ.get("CACHE_DIR")
        or CACHE_BACKENDS[CACHE_BACKEND][1],
    }
}
# Sessions live in the database (not in the cache), so a user stays logged in whichever server answers.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "govcases <noreply@govcases.invalid>")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Every e-mail goes through the outbox (govcases.outbox): a row written with the change that causes it, sent
# by a worker (`manage.py db_worker`) of Django's tasks framework, here its backport and ORM backend, so that
# the task rows commit or roll back with the change too. Django 6 ships the framework itself.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Seconds to wait before each retry of a message the mail server did not take; then it is marked failed.
OUTBOX_RETRY_DELAYS = [
    int(seconds) for seconds in os.environ.get("OUTBOX_RETRY_DELAYS", "60,300,1800,7200,21600").split(",")
]
# The public site's footer, as government sites carry it; each fact is shown only when set (docs/deploy.md).
SITE_ORGANISER = os.environ.get("SITE_ORGANISER", "")  # 主办单位
SITE_CONTACT = os.environ.get("SITE_CONTACT", "")  # 联系方式
SITE_ICP_NUMBER = os.environ.get("SITE_ICP_NUMBER", "")  # ICP备案号
SITE_PUBLIC_SECURITY_NUMBER = os.environ.get("SITE_PUBLIC_SECURITY_NUMBER", "")  # 公网安备案号
SITE_CODE = os.environ.get("SITE_CODE", "")  # 网站标识码

# Uploads. The limits are enforced by decoding the file (govcases/uploads.py), not by its name.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
GOVCASES_IMAGE_MAX_BYTES = 8 * 1024 * 1024
GOVCASES_IMAGE_MAX_PIXELS = 40_000_000
GOVCASES_IMAGE_MAX_SIDE = 2400
GOVCASES_PDF_MAX_BYTES = 10 * 1024 * 1024
GOVCASES_IMAGES_PER_CASE = (1, 6)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSP_IMAGE_SOURCES = " ".join(["'self'", "data:", *CSP_MEDIA_ORIGINS])
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; img-src {CSP_IMAGE_SOURCES}; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe app servers over plain HTTP, without the proxy's header: answer, don't redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
