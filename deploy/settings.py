"""Django settings for Yiting, read from the environment (django-environ).

Every knob an operator may turn is an environment variable, documented in README.md:
``DATABASE_URL``, ``REDIS_URL``, ``YITING_DATA_DIR``, ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DEBUG``, ``CSRF_TRUSTED_ORIGINS``, ``YITING_SECURE_COOKIES``, ``YITING_LOG_JSON``.
The defaults give the embedded single-process setup: SQLite under the data folder and
the in-memory channel layer.
"""

from __future__ import annotations

from pathlib import Path

import environ

from core.hardening import DEV_SECRET_KEY
from deploy.channelprefix import deployment_prefix

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DATA_DIR = Path(env.str("YITING_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
# Without SECRET_KEY a non-DEBUG process refuses to start (core/hardening.py).
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "core",
    "meeting",
    "meeting.voting",
    "meeting.floor",
    "meeting.proceedings",
    "meeting.briefs",
    "meeting.notices",
    "realtime",
    "docs_store",
    "docs_store.drafts",
    "meeting.opinions",
    "media",
    "frontend",
    "jobs",
    "deploy",  # no models: the operator's commands (manage.py backup / restore)
]

MIDDLEWARE = [
    # outermost: drops COOP on plain HTTP at a LAN address, where browsers only log an error
    "deploy.coop.CoopOnlyWhereTrustworthy",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "deploy.limits.RequestLimitsMiddleware",  # over-long addresses: 414 with a code
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "frontend.accounts.ForcedPasswordChangeMiddleware",  # a given password: change it first
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frontend.refusals.RefusalPagesMiddleware",  # 403/404 pages in Chinese, DEBUG too
    # Last, as django-axes asks: turns a locked-out login into its refusal page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one user
# name, every login for that name is refused for the cool-down, the right password
# included; the lock-out is written to the audit trail (meeting/proceedings/logins.py).
AUTHENTICATION_BACKENDS = [
    "deploy.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("YITING_LOGIN_FAILURES", default=10)
AXES_COOLOFF_TIME = env.float("YITING_LOGIN_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]  # per user name: tablets share the room's NAT
# axes.W006 asks for the IP address too; every tablet in the room shares one address,
# so a lock per address would shut the whole room out for one member's typos.
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # HSTS preload asks for the name to be submitted to the browsers' built-in list of
    # public domains; a committee room's server name (or address) is never on it.
    "security.W021",
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "frontend.views.login_locked_out"
AXES_VERBOSE = False

ROOT_URLCONF = "deploy.urls"
ASGI_APPLICATION = "deploy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'yiting.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and background workers share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # Persistent connections: every command runs in a DB thread, and opening a new
    # PostgreSQL connection per command cost more than the command itself (bench/fanout.py).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # Prepared statements: PostgreSQL parses and plans a query once per connection, not
    # at every execution (a flip's or a ballot's dozen statements repeat thousands of
    # times a sitting; ≈ 0.8 ms of a 5 ms flip). Needs server-side parameter binding.
    # "none" turns both off (a PgBouncer in transaction mode cannot keep them).
    _PREPARE = env.str("YITING_PG_PREPARE_THRESHOLD", default="2").strip().lower()
    if _PREPARE != "none":
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": int(_PREPARE)}
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads (docs_store/uploads.py): every file is counted while it streams and stopped at
# YITING_DOCS_MAX_BYTES; files spool to disk past 2.5 MB; other fields stay small.
YITING_DOCS_MAX_BYTES = env.int("YITING_DOCS_MAX_BYTES", default=200 * 1024 * 1024)
YITING_DOCS_MAX_INFLATED = env.int("YITING_DOCS_MAX_INFLATED", default=512 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "docs_store.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REDIS_URL = env.str("REDIS_URL", default="")
CHANNEL_LAYER_KIND = env.str("YITING_CHANNEL_LAYER", default="pubsub")
# Redis pub/sub is global to the server: each deployment names its groups under its own
# prefix, by default derived from the database (deploy/channelprefix.py).
CHANNEL_PREFIX = env.str("YITING_CHANNEL_PREFIX", default="") or deployment_prefix(
    DATABASES["default"]
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": (
                "channels_redis.pubsub.RedisPubSubChannelLayer"
                if CHANNEL_LAYER_KIND == "pubsub"
                else "channels_redis.core.RedisChannelLayer"
            ),
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": CHANNEL_PREFIX,
                "capacity": 5000,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 5000}}
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# collectstatic also writes each static file under a name with its content's hash, ES-module
# imports rewritten to those names; pages then name the hashed copies, which nginx lets
# browsers keep for a year (deploy/staticfiles.py). Not yet collected: the plain names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "deploy.staticfiles.HashedStaticStorage"},
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "deploy.staticfiles.CollectedFinder",  # the hashed copies, for SERVE_STATIC
]
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/files/"
# Recording disk: room-camera files kept this long after every speech they hold is cut;
# the console is warned below MEDIA_WARN_FREE_BYTES, recording refused below the minimum.
MEDIA_ROOM_RETENTION_S = env.float("YITING_ROOM_RETENTION_S", default=24 * 3600)
MEDIA_MIN_FREE_BYTES = env.int("YITING_MEDIA_MIN_FREE_BYTES", default=200 * 1024 * 1024)
MEDIA_WARN_FREE_BYTES = env.int("YITING_MEDIA_WARN_FREE_BYTES", default=800 * 1024 * 1024)

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

SECURE_COOKIES = env.bool("YITING_SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_AGE = 60 * 60 * 14  # one long sitting day
SESSION_ENGINE = "deploy.sessions"  # Django's database store, its hot read as plain SQL

# Size and rate limits of the WebSocket protocol (realtime/protocol); stated, not guessed.
YITING_WS_MAX_FRAME = env.int("YITING_WS_MAX_FRAME", default=64 * 1024)
# The server's own cap (Daphne/autobahn): frames up to it reach the decoder and get
# ``frame_too_large``; above it the socket is closed with 1009 (message too big).
YITING_WS_HARD_CAP = env.int(
    "YITING_WS_HARD_CAP", default=max(4 * 1024 * 1024, 2 * YITING_WS_MAX_FRAME)
)
# Connections the kernel queues for a worker before it accepts them (listen(2) backlog,
# capped by net.core.somaxconn). Twisted's default of 50 overflowed thousands of times
# when a room's tablets reconnected at once: each dropped SYN costs the tablet 1 s or more.
YITING_LISTEN_BACKLOG = env.int("YITING_LISTEN_BACKLOG", default=2048)
YITING_WS_RATE = env.int("YITING_WS_RATE", default=20)  # commands per second per socket
YITING_WS_BURST = env.int("YITING_WS_BURST", default=40)
# Bytes a socket may leave unread before it is closed (4408) and must resync.
YITING_WS_MAX_PENDING = env.int("YITING_WS_MAX_PENDING", default=1024 * 1024)
# Seconds a connecting socket waits for its group subscriptions to be effective.
YITING_WS_LIVE_TIMEOUT = env.float("YITING_WS_LIVE_TIMEOUT", default=10.0)
YITING_EVENT_RETENTION = env.int("YITING_EVENT_RETENTION", default=500)
# Threads running socket commands (realtime/dbthreads.py). SQLite takes one writer at a
# time (and shared-cache test databases refuse concurrent writers), so one thread there.
_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
YITING_DB_THREADS = env.int("YITING_DB_THREADS", default=1 if _SQLITE else 8)

SERVE_STATIC = env.bool("YITING_SERVE_STATIC", default=True)
# The address members' devices reach the server by: printed in briefs' and books' clip
# links and QR codes (meeting/briefs/exports/common.py), so it must not be this machine's
# loopback in production.
PUBLIC_URL = env.str("YITING_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# The CJK TrueType font embedded in every PDF made here (core/pdffont.py); empty: the
# first of Debian's WenQuanYi/Noto CJK fonts installed.
PDF_FONT = env.str("YITING_PDF_FONT", default="")
# Background threads (job worker, floor sweeper, media recovery) of a server process;
# the test settings (tests/settings.py) turn them off: tests run jobs and sweeps by hand.
START_BACKGROUND = env.bool("YITING_START_BACKGROUND", default=True)
# Done jobs are deleted this many days after they finished (jobs/services.py prune_finished;
# failed ones stay until retried); 0 keeps them all.
JOB_RETENTION_DAYS = env.float("YITING_JOB_RETENTION_DAYS", default=30)
# WebRTC ICE servers of the server's aiortc peers (media/peers.py), comma-separated URLs,
# e.g. ``stun:stun.internal:3478,turn:turn.internal:3478``; TURN credentials apart. None
# by default: a legislature's closed network makes no outside request (aiortc alone would
# ask Google's public STUN server); tablets on the same network connect by host candidates.
ICE_SERVERS = env.list("YITING_ICE_SERVERS", default=[])
ICE_USERNAME = env.str("YITING_ICE_USERNAME", default="")
ICE_CREDENTIAL = env.str("YITING_ICE_CREDENTIAL", default="")
INPROCESS_WORKERS = env.bool("YITING_INPROCESS_WORKERS", default=not REDIS_URL)

# One log configuration (deploy/logs.py): structlog formats every record; JSON lines
# when YITING_LOG_JSON is true, with the request or socket id of the line.
LOG_JSON = env.bool("YITING_LOG_JSON", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"()": "deploy.logs.formatter", "json": LOG_JSON}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console/mail handlers off: its lines reach the root handler once.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}

# -- production (deploy/launcher.py, deploy/nginx/, docs/deploy.md) --------------------------
# Behind nginx: trust its X-Forwarded-Proto / -Host so secure cookies and CSRF see https.
BEHIND_PROXY = env.bool("YITING_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_HSTS_SECONDS = env.int("YITING_HSTS_SECONDS", default=0)
# Only the server's own subdomains (none in a room); sent only with YITING_HSTS_SECONDS.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("YITING_HSTS_SUBDOMAINS", default=True)
# ./yiting stack with TLS redirects plain HTTP to HTTPS in nginx and here. Exempt: the
# room CA's page (a tablet fetches it before it trusts HTTPS), and what the launcher and
# Prometheus read on each worker's loopback port directly.
SECURE_SSL_REDIRECT = env.bool("YITING_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^tls/", r"^healthz", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Files under MEDIA_ROOT (page images, clips) are sent by nginx with range requests:
# a view answers ``X-Accel-Redirect: <prefix><path under MEDIA_ROOT>`` (deploy/files.py).
X_ACCEL = env.bool("YITING_X_ACCEL", default=False)
X_ACCEL_PREFIX = env.str("YITING_X_ACCEL_PREFIX", default="/_protected/")
# /metrics and /healthz/details answer a bearer token when set; otherwise loopback and
# logged-in staff only (nginx also keeps /metrics off the public side).
METRICS_TOKEN = env.str("YITING_METRICS_TOKEN", default="")
HEALTH_LAYER_TIMEOUT = env.float("YITING_HEALTH_LAYER_TIMEOUT", default=2.0)
