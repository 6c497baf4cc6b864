"""Settings for Intervision, read from the environment (twelve-factor).

With nothing set, the app runs embedded: SQLite file, in-memory channel layer, DEBUG on,
console e-mail. ``DATABASE_URL`` selects PostgreSQL, ``REDIS_URL`` selects channels-redis.
A bad value stops start-up with a message naming the variable.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_database, env_redis, envbool, envint, envlist, envrate

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = envbool("DEBUG", not os.environ.get("DATABASE_URL"))
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (DEBUG is off by default once "
            "DATABASE_URL is set; for local development or tests against PostgreSQL, "
            "set DEBUG=1)"
        )
    SECRET_KEY = "django-insecure-embedded-default-only-for-local-use-0123456789"
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
if not DEBUG and not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off (the public host name, e.g. "
        "intervision.example.org)"
    )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_ratelimit",
    # Company sign-in (OpenID Connect) for a community: allauth's provider only; its own
    # password and sign-up pages are not served (intervision/urls.py).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "participants",
    "sessions_app",
    "privacy",
    "insights",
    "communities",
    # The project itself, last: its commands (the demo, the browser tests' seed) may use
    # every app.
    "intervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "participants.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "intervision.errors.NotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "intervision.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "intervision.asgi.application"

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
            ],
        },
    },
]

# Database: SQLite file unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    _db = env_database("DATABASE_URL", DATABASE_URL)
    # Under ASGI every request may run on another thread: no persistent connections,
    # a bounded psycopg pool per process instead (Django's advice). Size it so that
    # processes × DB_POOL_MAX stays under PostgreSQL's max_connections.
    _pool_min, _pool_max = envint("DB_POOL_MIN", 2), envint("DB_POOL_MAX", 10)
    if not 0 <= _pool_min <= _pool_max or _pool_max < 1:
        raise ImproperlyConfigured(
            f"DB_POOL_MIN ({_pool_min}) and DB_POOL_MAX ({_pool_max}) must satisfy "
            "0 <= DB_POOL_MIN <= DB_POOL_MAX, DB_POOL_MAX >= 1"
        )
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": _pool_min,
        "max_size": _pool_max,
        "timeout": envint("DB_POOL_TIMEOUT", 10),
    }
    _db["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Opening SQLite costs more than a query: keep each thread's connection (asgi.py
            # serves requests on a fixed set of threads, so they are reused).
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

FORMS_URLFIELD_ASSUME_HTTPS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "participants.User"

# Channel layer: in-memory (one process) unless REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    env_redis("REDIS_URL", REDIS_URL)
    _layer_config = {
        "hosts": [{"address": REDIS_URL}],
        "prefix": os.environ.get("REDIS_PREFIX", "intervision"),
    }
    if os.environ.get("CHANNEL_LAYER_ENCRYPTION_KEY"):
        # Messages carry session content: encrypt them on the wire and in Redis.
        _layer_config["symmetric_encryption_keys"] = envlist("CHANNEL_LAYER_ENCRYPTION_KEY", [])
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer: one publish per group send, lower CPU and tail than the
            # core layer, and no blocking reads that redis-py's socket_timeout would kill.
            # Nothing is queued in Redis: a message published while a process is cut off
            # is lost, which is harmless here (the database holds the state, pages resync
            # on reconnect and poll slowly).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": _layer_config,
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "intervision.layers.ThrottledInMemoryChannelLayer"}
    }

# Sessions. The embedded default is one process: its Django sessions are read from memory
# and written through to SQLite (Django's cached_db), saving a query on every request, every
# click and every websocket connect. Several processes (REDIS_URL set) keep plain database
# sessions, so a sign-out in one process holds at once in the others: Django's Redis cache
# reconnects to Redis on every request, which cost more than the query it saved
# (bench/RESULTS.md).
if not REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Requests per client address for sign-in links and applications (django-ratelimit), counted
# in a cache of their own: the process's memory in the embedded default (one process), Redis
# when several processes serve the site (each would otherwise count on its own).
# The client address is REMOTE_ADDR (IPv6: its /64). daphne --proxy-headers takes it from the
# first X-Forwarded-For entry; Caddy, trusting no proxy before it (deploy/Caddyfile sets no
# trusted_proxies), replaces any X-Forwarded-For a client sends with the address the client
# connected from. So nobody picks their own address, as long as daphne is reached only
# through Caddy (compose publishes no port of `web`). README: "Client addresses".
LOGIN_LINK_RATE_LIMIT = envrate("LOGIN_LINK_RATE_LIMIT", "5/10m")
APPLICATION_RATE_LIMIT = envrate("APPLICATION_RATE_LIMIT", "5/1h")
RATELIMIT_USE_CACHE = "ratelimit"
# A cache that fails lets the request through (logged): Redis down must not stop sign-ins.
RATELIMIT_FAIL_OPEN = True
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "intervision") + ":ratelimit",
            # A Redis that does not answer costs a second, not a hung sign-in page.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
else:
    CACHES["ratelimit"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ratelimit",
    }
# django-ratelimit's checks know memcached and django-redis only. Django's own RedisCache is
# shared and counts with Redis's atomic SET NX and INCR, but "not officially supported"
# (W001); the memory cache is "not shared" (E003), which is wrong of the embedded default's
# single process only.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")


# allauth's own backend is left out: ModelBackend already signs in by e-mail (the user model's
# USERNAME_FIELD), and a second password backend would hash every wrong password twice.
# allauth's login then records ModelBackend, the first backend able to load a user, as every
# other sign-in of the app does (participants.signin.sign_in).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: a lock-out lasts 15 minutes, never forever
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Axes log lines name the client without its address or a token from the link it opened.
AXES_CLIENT_STR_CALLABLE = "participants.logs.axes_client_str"
# A locked-out attempt gets the app's page, in its language, saying why (status 429).
AXES_LOCKOUT_CALLABLE = "participants.lockout.locked_out"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
# French dates and times as French writes them (« 7 décembre 2026 à 7 h 00 »).
FORMAT_MODULE_PATH = ["intervision.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic writes here; whitenoise serves it (hashed names, compressed) when DEBUG is off.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
# In development, one line per e-mail on the console and the whole e-mail on /dev/outbox/
# (participants.devmail), kept in DEV_OUTBOX_DIR; the console backend otherwise.
OUTBOX_EMAIL = "participants.devmail.OutboxBackend"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", OUTBOX_EMAIL if DEBUG else CONSOLE_EMAIL)
DEV_OUTBOX_DIR = Path(os.environ.get("DEV_OUTBOX_DIR") or BASE_DIR / "var" / "outbox")
# The console backend writes every sign-in and invitation link, token included, to the
# standard output, hence to the logs: with DEBUG off only when asked for by name.
if not DEBUG and EMAIL_BACKEND == CONSOLE_EMAIL and not envbool("ALLOW_CONSOLE_EMAIL", False):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console backend while DEBUG is off: every sign-in and "
        "invitation link would be written to the logs. Set "
        "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST, "
        "EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS, or "
        "ALLOW_CONSOLE_EMAIL=1 on a server whose output is meant to show the links (a test)"
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Intervision <noreply@localhost>")

# Security headers. Production (DEBUG off) passes `manage.py check --deploy`.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads it once into hx-headers from the template, not JS
# A form sent with a stale token answers the app's own page ("La page a expiré…"), not Django's.
CSRF_FAILURE_VIEW = "intervision.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The load balancer's and the container's probes speak plain HTTP to the process.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"once_a_minute": {"()": "intervision.layers.OncePerInterval"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG) beside the root's printed each line twice:
        # its lines go to the root's handler only.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "channels_redis.pubsub": {"filters": ["once_a_minute"]},
        "intervision.health": {"filters": ["once_a_minute"]},
        "sessions_app.consumers": {"filters": ["once_a_minute"]},
    },
}

# Company sign-in (django-allauth's OpenID Connect provider). The providers are the
# communities' own (issuer, client, secret and e-mail domains in the database, set by their
# leaders): ``communities.oidc`` builds allauth's apps from them and checks every sign-in
# (issuer, domain, removal, closed account) before it happens. allauth's account pages are
# not served: the user model signs in by e-mail, without username, allauth verifies no
# address (the company did), and a person new to the site gets an account at once.
ACCOUNT_ADAPTER = "communities.oidc.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "communities.oidc.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
# The provider's tokens are used once, to read who signed in, and never kept.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}

# Intervision
INVITATION_DAYS = envint("INVITATION_DAYS", 7)
LOGIN_LINK_MINUTES = envint("LOGIN_LINK_MINUTES", 10)

# Periodic jobs, run by `manage.py periodic` (once, or every N seconds with --every N): each
# is the dotted path of a function of the current time, safe to run twice or on two machines.
PERIODIC_JOBS = ["sessions_app.actions.reminders.send_due_reminders", "privacy.retention.purge"]
