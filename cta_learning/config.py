"""Settings, read from environment variables prefixed with CTA_ (see README)."""

from datetime import timedelta

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"


class DefaultConfig:
    # Core
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    ENV_NAME = "development"  # CTA_ENV_NAME=production refuses the development secret key
    # Empty: the address the development server serves (startup.public_url); production
    # refuses to start without it.
    PUBLIC_URL = ""
    DATABASE_URL = ""  # empty: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    PASSWORD_HASH_METHOD = "scrypt"
    DB_MIGRATIONS = True  # the `flask db` commands; cta_learning.wsgi turns them off
    # "json": a JSON line per request, and every log record as JSON (cta_learning/request_log.py)
    REQUEST_LOG = ""
    LOG_LEVEL = "INFO"

    # Sessions and cookies (secure flags follow PUBLIC_URL's scheme, see create_app)
    SESSION_COOKIE_NAME = "cta_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_NAME = "cta_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)

    # Tokens sent by email
    EMAIL_CONFIRMATION_MAX_AGE = 2 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 2 * 3600
    INVITATION_MAX_AGE_DAYS = 14

    # The external submission site signs its webhook calls with this shared secret
    WEBHOOK_SECRET = ""

    # Languages and time zones
    LANGUAGES = ("en", "fr", "es", "ar")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Forms
    WTF_CSRF_TIME_LIMIT = 4 * 3600

    # Rate limits (storage moves to Redis with CTA_RATELIMIT_STORAGE_URI=redis://...)
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    SIGNUP_RATE_LIMIT = "5 per minute;30 per hour"
    RESET_RATE_LIMIT = "5 per minute;20 per hour"
    WEBHOOK_RATE_LIMIT = "60 per minute"
    API_RATE_LIMIT = "120 per minute;2000 per hour"  # per address, every /api/v1 operation
    API_TOKEN_RATE_LIMIT = "60 per minute;1000 per hour"  # per personal API token
    API_AUTH_FAILURE_LIMIT = "10 per minute;50 per hour"  # wrong API tokens, per address
    # A Redis outage must not take the site down: each worker then counts on its own meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    TWO_FACTOR_RATE_LIMIT = "10 per minute;50 per hour"  # codes at /login/verify and /reauth

    # Shared cache (counts of the repository): Redis when set (redis://host:6379/1), else a
    # cache per process, which stays correct because every key carries a content version.
    REDIS_URL = ""
    CACHE_DEFAULT_TIMEOUT = 3600  # seconds; stale versions' keys expire meanwhile
    CACHE_THRESHOLD = 2000  # entries kept by each process's SimpleCache
    CACHE_KEY_PREFIX = "cta:"
    # Names the release in shared page keys; by default a hash of templates, content and
    # translations (see caching.release_fingerprint).
    RELEASE = ""

    # Mail: empty SMTP_HOST keeps messages in the development mailbox
    MAIL_FROM = "CTA Learning <no-reply@localhost>"
    SMTP_HOST = ""
    SMTP_PORT = 587
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = True
    SMTP_SSL = False
    SMTP_TIMEOUT = 20
    MAIL_RETRY_HOURS = 48  # a message is retried this long after its first failure (README)
    MAIL_BATCH_SIZE = 100
    MAIL_KEEP_DAYS = 90  # `flask clean-up` deletes sent messages older than this (not campaigns')
