"""Settings for Starting Relationships, read from the environment.

One file for every environment. ``DJANGO_ENV=production`` turns on the production rules:
it refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``, and turns debug off and
secure cookies and HSTS on. See the README for every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = env_bool("DJANGO_TESTING", False)

if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
    DEBUG = False
else:
    # A development key: never used in production, where the key above is required.
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-key-not-for-production-use")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    DEBUG = env_bool("DEBUG", not TESTING)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    # Django's admin, kept for the directory's reference lists only, for admins who passed
    # the second factor (see attachment_app/admin_site.py).
    "attachment_app.admin_apps.ReferenceListsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "pgtrigger",
    "pghistory",
    "csp",
    "attachment_app.accounts",
    "attachment_app.audit",
    "attachment_app.health",
    "attachment_app.reminders",
    "attachment_app.nhsuk_forms",
    "attachment_app.submissions",
    "attachment_app.fhir",
    "conversations",
    "screening",
    "referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "attachment_app.accounts.middleware.AbsoluteSessionLimitMiddleware",
    "attachment_app.accounts.middleware.KeepTypedInputLoginRequiredMiddleware",
    "attachment_app.accounts.middleware.SecondFactorRequiredMiddleware",
    "attachment_app.accounts.middleware.NoStoreMiddleware",
    # One access-log row for each page that showed a family's data (audit/access.py).
    "attachment_app.audit.access.AccessLogMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "attachment_app.urls"
WSGI_APPLICATION = "attachment_app.wsgi.application"
ASGI_APPLICATION = "attachment_app.asgi.application"

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
                "csp.context_processors.nonce",
                "attachment_app.context_processors.service",
                "attachment_app.reminders.context_processors.unread_notifications",
            ],
            # nhs_date, nhs_time and nhs_datetime in every template: one way to show a moment;
            # the NHS.UK components ({% back_link %}, {% tag %}, {% summary_row %} …): one markup.
            "builtins": ["attachment_app.template_filters", "attachment_app.components"],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# --- Data -------------------------------------------------------------------------------------

# PostgreSQL is the only database this code supports. `make run` starts an embedded server and
# sets DATABASE_URL; `make test` uses the machine's server (see attachment_app/devservices.py).
# Outside production, a bare `manage.py` command talks to a local server on the standard port.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production.")
    DATABASE_URL = "postgres://postgres@127.0.0.1:5432/starting_relationships"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# The cache holds what sign-in must share between processes (authenticator codes already used,
# allauth's rate limits). It lives in PostgreSQL, like sessions, so a Redis outage changes
# nothing; its table is made by a migration (accounts 0003).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}

# --- Authentication and sessions --------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# Sign-in goes through django-allauth (password, then the second factor) and Django's standard
# backends, so that NHS CIS2 can later be added as an OpenID Connect provider beside it.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "attachment_app.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"change_password": "attachment_app.accounts.forms.ChangePasswordForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
# Failed sign-ins and wrong current passwords are counted in the database by our own throttle
# (accounts/throttle.py), per username and address, per address and overall; allauth's limits
# for these would count per username only, so anyone could lock anyone out.
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None, "change_password": None}
# The client address comes from accounts.client_address, which both apps share.
ALLAUTH_TRUSTED_PROXY_COUNT = 0

MFA_ADAPTER = "attachment_app.accounts.adapters.SecondFactorAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Starting Relationships"
MFA_FORMS = {
    "authenticate": "attachment_app.accounts.forms.SecondFactorForm",
    "reauthenticate": "attachment_app.accounts.forms.SecondFactorAgainForm",
    "activate_totp": "attachment_app.accounts.forms.SetUpAuthenticatorAppForm",
}
# Browsers treat http://localhost as secure, so passkeys work under `make run` and in tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
#: Until this date (YYYY-MM-DD, London time) a user without a second factor may still use the
#: service while they set one up; empty means the second factor is required now.
SECOND_FACTOR_GRACE_UNTIL = os.environ.get("SECOND_FACTOR_GRACE_UNTIL", "")
#: Sensitive actions (account changes, exports with NHS numbers) ask for the second factor
#: again when it was last given longer ago than this.
SECOND_FACTOR_FRESH_FOR = timedelta(minutes=env_int("SECOND_FACTOR_FRESH_MINUTES", 15))
#: How long an invitation link stays valid.
INVITATION_VALID_FOR = timedelta(hours=env_int("INVITATION_VALID_HOURS", 72))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "attachment_app.accounts.passwords.NotOwnNamesValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    # Django's own list of 20,000 passwords most common in breaches, shipped with Django.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if TESTING:
    # Tests create many users; a slow hash buys nothing there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sessions live in PostgreSQL so that a Redis outage signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle timeout: every request pushes the expiry forward, so the session ends after this long
# without a request. Shared devices in family homes make 30 minutes the ceiling (ASVS 3.3.2).
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute limit: a session ends this long after sign-in, however active.
SESSION_ABSOLUTE_LIMIT = timedelta(hours=env_int("SESSION_ABSOLUTE_LIMIT_HOURS", 12))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Sign-in throttling (accounts/throttle.py), counted from the account history in the database.
# A username is locked from one address after a few failures, so one person's mistakes never
# lock out a whole clinic behind one NAT address; an address is locked across usernames after
# more (password spraying); and a backstop locks sign-in for everyone under a flood.
SIGN_IN_FAILURES_PER_USERNAME_AND_ADDRESS = env_int("LOGIN_FAILURE_LIMIT", 5)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
SIGN_IN_FAILURES_OVERALL = env_int("LOGIN_FAILURE_LIMIT_OVERALL", 500)
SIGN_IN_LOCKOUT = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
# The real client address behind the load balancer: the number of proxies we run in front of
# the app. The address is the entry the outermost of them wrote in X-Forwarded-For (the Nth
# from the right). With 0 the header is ignored, because a client could forge it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Security headers -------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # NHS.UK frontend's stylesheet loads the licensed Frutiger font from the NHS assets host.
        "font-src": [SELF, *env_list("CSP_FONT_SOURCES", "https://assets.nhs.uk")],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix pins the cookies to this host and path / over HTTPS (ASVS 3.3.3).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Internationalisation and time ------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# NHS.UK frontend comes from npm (`npm ci`) and is served from node_modules, never copied in.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90)
# Tasks are idempotent, so a task whose worker died is run again rather than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # Producers give up quickly, so a request never hangs on a dead broker.
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
HEARTBEAT_INTERVAL_SECONDS = env_int("HEARTBEAT_INTERVAL_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "health.record_heartbeat": {
        "task": "health.record_heartbeat",
        "schedule": timedelta(seconds=HEARTBEAT_INTERVAL_SECONDS),
        # A missed beat is useless later: drop it rather than pile them up.
        "options": {"expires": HEARTBEAT_INTERVAL_SECONDS},
    },
}
REMINDER_SWEEP_SECONDS = env_int("REMINDER_SWEEP_SECONDS", 120)
CELERY_BEAT_SCHEDULE["reminders.sweep_reminders"] = {
    "task": "reminders.sweep_reminders",
    "schedule": timedelta(seconds=REMINDER_SWEEP_SECONDS),
    # Sweeps are idempotent and the next one catches up: never let them queue behind each other.
    "options": {"expires": REMINDER_SWEEP_SECONDS},
}
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)
# /healthz calls the scheduler stale when the last heartbeat is older than this.
HEARTBEAT_STALE_AFTER = timedelta(seconds=HEARTBEAT_INTERVAL_SECONDS * 3)

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@starting-relationships.invalid")

# --- Reminders ----------------------------------------------------------------------------------

#: Where links in reminder emails point: the address staff use to reach the service.
#: Required in production (a deploy check reports it): no default there.
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")
#: A claimed reminder whose task has not finished in this time is retried by a later sweep.
REMINDER_STALE_CLAIM_MINUTES = env_int("REMINDER_STALE_CLAIM_MINUTES", 10)
#: Working hours (London time) for reminders that repeat "each working hour".
WORKING_DAY_START_HOUR = env_int("WORKING_DAY_START_HOUR", 9)
WORKING_DAY_END_HOUR = env_int("WORKING_DAY_END_HOUR", 17)
#: An urgent concern not acknowledged within this many hours, or by the end of the working day
#: if sooner, is escalated to the team lead.
URGENT_CONCERN_ESCALATE_HOURS = env_int("URGENT_CONCERN_ESCALATE_HOURS", 4)
#: How long a service has to acknowledge a referral when its directory entry does not say.
DEFAULT_RESPONSE_WORKING_DAYS = env_int("DEFAULT_RESPONSE_WORKING_DAYS", 5)

# --- Referrals that reach the service -------------------------------------------------------

#: How long the link a service is emailed keeps working (it stops sooner if the referral closes).
SERVICE_LINK_DAYS = env_int("SERVICE_LINK_DAYS", 30)
#: How long each emailed code works, and how long one code opens the referral for in a browser.
SERVICE_LINK_CODE_MINUTES = env_int("SERVICE_LINK_CODE_MINUTES", 15)
SERVICE_LINK_SESSION_MINUTES = env_int("SERVICE_LINK_SESSION_MINUTES", 60)
#: Pending referral emails are handed to the worker again this often, in case a message was lost.
DELIVERY_SWEEP_SECONDS = env_int("DELIVERY_SWEEP_SECONDS", 120)
CELERY_BEAT_SCHEDULE["referrals.sweep_deliveries"] = {
    "task": "referrals.sweep_deliveries",
    "schedule": timedelta(seconds=DELIVERY_SWEEP_SECONDS),
    "options": {"expires": DELIVERY_SWEEP_SECONDS},
}

#: Drafts past a week and submission keys past a month are deleted once a day.
CELERY_BEAT_SCHEDULE["submissions.purge"] = {
    "task": "submissions.purge",
    "schedule": timedelta(days=1),
    "options": {"expires": 3600},
}

#: Registered ORUK feeds are looked at hourly; each is synced when its schedule is due.
CELERY_BEAT_SCHEDULE["referrals.sync_directory_feeds"] = {
    "task": "referrals.sync_directory_feeds",
    "schedule": timedelta(hours=1),
    "options": {"expires": 3600},
}

# --- Audit and logging ------------------------------------------------------------------------

# Every change to a tracked model is kept; the event tables refuse UPDATE and DELETE.
PGHISTORY_APPEND_ONLY = True

SERVICE_NAME = "Starting Relationships"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {},
}

# --- Open Referral UK feeds -------------------------------------------------------------------

#: Feeds are read over HTTPS only in production; development and tests read feeds served on
#: this machine over plain HTTP.
ORUK_FEED_HTTPS_ONLY = env_bool("ORUK_FEED_HTTPS_ONLY", PRODUCTION)
#: Politeness towards a local authority's server: requests per second, and how long to wait.
ORUK_FEED_REQUESTS_PER_SECOND = env_int("ORUK_FEED_REQUESTS_PER_SECOND", 10)
ORUK_FEED_TIMEOUT_SECONDS = env_int("ORUK_FEED_TIMEOUT_SECONDS", 15)
#: A feed with more pages than this is taken as one that never ends.
ORUK_FEED_MAX_PAGES = env_int("ORUK_FEED_MAX_PAGES", 200)
#: No response or file over this size is read.
ORUK_FEED_MAX_BYTES = env_int("ORUK_FEED_MAX_BYTES", 20 * 1024 * 1024)

# --- Dashboard --------------------------------------------------------------------------------

#: How long the dashboard's figures for a period are kept once worked out (what needs attention
#: now is always read afresh). 0 works them out on every request, as the tests do unless a test
#: is about the keeping.
DASHBOARD_FIGURES_SECONDS = env_int("DASHBOARD_FIGURES_SECONDS", 0 if TESTING else 300)

# --- FHIR export ------------------------------------------------------------------------------

#: The base of this deployment's own FHIR code systems, extensions, identifier systems and
#: Questionnaire URLs, and the seed of its stable resource ids: set it once per trust (an address
#: the trust owns) and never change it, or every resource gets a new id.
FHIR_BASE_URL = os.environ.get("FHIR_BASE_URL", "https://starting-relationships.invalid/fhir")
#: How long a team's bulk export is kept for its download.
FHIR_BULK_EXPORT_KEEP_HOURS = env_int("FHIR_BULK_EXPORT_KEEP_HOURS", 24)
#: Every ten minutes, the files of bulk exports whose time is up are deleted, and an export
#: whose message to the worker was lost is handed on again.
CELERY_BEAT_SCHEDULE["fhir.sweep_bulk_exports"] = {
    "task": "fhir.sweep_bulk_exports",
    "schedule": timedelta(minutes=10),
    "options": {"expires": 600},
}
