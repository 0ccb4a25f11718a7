"""Configuration by environment: CRM_ENV chooses development, test or production."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, str(default)).strip()
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number (0 or more), not {value!r}")
    return int(value)


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'community-voice.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Shared rate-limit counters and the queue of background jobs; without it jobs run in the request.
    REDIS_URL = os.environ.get("REDIS_URL")
    # Only to queue jobs on another Redis than REDIS_URL's: unset, jobs use REDIS_URL.
    JOB_REDIS_URL = os.environ.get("JOB_REDIS_URL")
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "community-voice")
    # Imports and exports of more rows than this run as background jobs, with a progress page.
    JOB_THRESHOLD_ROWS = _whole_number("JOB_THRESHOLD_ROWS", 2000)
    # A job running (or silent) for longer than this is stopped and marked failed.
    JOB_TIMEOUT = _whole_number("JOB_TIMEOUT", 30 * 60)
    # Files that export jobs make; shared storage when workers run on other machines than the app.
    JOB_FILES = os.environ.get("JOB_FILES", str(INSTANCE_DIR / "job-files"))
    # How long the queue keeps its own record of a finished job (seconds); the job table keeps it for good.
    JOB_RESULT_TTL = 24 * 60 * 60
    # How many reverse proxies or load balancers in front of the app append to X-Forwarded-For. The client's
    # address is read that many hops from the right; 0 trusts no header, as anyone can send one.
    TRUSTED_PROXIES = _whole_number("TRUSTED_PROXIES", 0)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "community_voice_session"
    # Staff are signed out after this long without a request (checked on the server too).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    PERMANENT_SESSION_LIFETIME = SESSION_IDLE_TIMEOUT
    # However busy, a session ends this long after sign-in (a copied cookie in use cannot last for ever).
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = 60 * 60 * 4
    # Uploads (views marked @takes_uploads: the group import) may be this large; every other request, forms
    # included, is refused with the "too large" page past FORM_MAX_BYTES.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    FORM_MAX_BYTES = 1024 * 1024

    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_LOCKOUT = timedelta(minutes=15)
    SIGN_IN_RATE_LIMIT = "30 per minute"

    REGISTRATION_RATE_LIMIT = "10 per hour"
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    RATELIMIT_HEADERS_ENABLED = True
    SEND_HSTS = False
    # Disclosure control (crm/core/suppression.py): counts of 1 to k - 1 people are hidden (k from 2 to 100),
    # and a breakdown of fewer than MIN_BREAKDOWN people (from k to 10,000) is not shown at all.
    SUPPRESSION_THRESHOLD = _whole_number("SUPPRESSION_THRESHOLD", 5)
    MIN_BREAKDOWN = _whole_number("MIN_BREAKDOWN", 10)
    # Near-duplicate names (crm/core/matching.py): the share of trigrams two match keys must have in common,
    # as pg_trgm's similarity() counts them. At 0.6 case, "The … Ltd" and one-letter typos match and
    # different groups do not; pg_trgm's default 0.3 makes nearly every new name look like a duplicate.
    NAME_MATCH_THRESHOLD = 0.6
    # The evidence pack calls a characteristic or area with fewer coded items than this "weak evidence".
    WEAK_EVIDENCE_BELOW = _whole_number("WEAK_EVIDENCE_BELOW", 5)
    # How long the slowest reports' figures are kept before they are worked out again (crm/reports/cache.py).
    REPORT_CACHE_SECONDS = _whole_number("REPORT_CACHE_SECONDS", 600)
    # Keys the ids of monitoring answers to their receipt references, and seals answers waiting to be
    # published (crm/consultations/monitoring_store.py); unset, SECRET_KEY does.
    MONITORING_LINK_KEY = os.environ.get("MONITORING_LINK_KEY")
    # Monitoring answers join the figures this many responses at a time, or k (above) if that is more.
    MONITORING_BATCH_SIZE = _whole_number("MONITORING_BATCH_SIZE", 0)
    # Public responses, counted per client address (in Redis when REDIS_URL is set, so every app server and
    # worker shares the counts). A drop-in session of 50 people on one library's wifi is one address, and they
    # may all press "Send" in the same minute; a script sends hundreds a minute. So each consultation takes
    # 60 a minute and 300 an hour from one address, and all consultations together 120 a minute and 600 an
    # hour. Below that, the honeypot refuses bots, and the form's one-time token makes a form sent twice one
    # response.
    RESPONSE_RATE_LIMIT_PER_CONSULTATION = "60 per minute;300 per hour"
    RESPONSE_RATE_LIMIT_PER_ADDRESS = "120 per minute;600 per hour"
    # If the counters' store (Redis) is down, let requests through and log it, rather than refuse everyone.
    RATELIMIT_SWALLOW_ERRORS = True

    # Email (crm/core/email.py): every message waits in the outbound_email table; with SMTP_HOST set it is
    # sent by SMTP after its unit of work commits (STARTTLS on SMTP_PORT, default 587, unless SMTP_SSL=1).
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = _whole_number("SMTP_PORT", 587)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_SSL = os.environ.get("SMTP_SSL", "") in ("1", "true", "yes")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") in ("1", "true", "yes")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Community Voice <no-reply@localhost>")
    # Invitations to more contacts than this are sent by a background job, with a progress page.
    INVITATION_JOB_THRESHOLD = _whole_number("INVITATION_JOB_THRESHOLD", 200)
    # A data request's confirmation link works once, for this long.
    DATA_REQUEST_LINK_LIFETIME = timedelta(hours=24)
    # The public data request form, per client address.
    DATA_REQUEST_RATE_LIMIT = "10 per hour"
    # Calls to /api/v1 per token (counted by token, not by address: many tokens may share one proxy).
    API_RATE_LIMIT = "600 per minute"
    # How long shared caches and browsers may keep open data (/api/v1/open/...).
    OPEN_DATA_MAX_AGE = 300

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # JSON lines on stderr, where the process manager (systemd, a container runtime) collects them.
    LOG_TO_STDERR = True
    # Statements slower than this are logged with the request id (text only, never parameters).
    SLOW_QUERY_MS = int(os.environ.get("SLOW_QUERY_MS", "500"))


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    @classmethod
    def check(cls):
        # CRM_ENV unset is development, whose secret key is in this file for anyone to read: anyone could sign
        # a session cookie as any user. That is only for a SQLite file on a developer's machine; against any
        # other database (a real server) a SECRET_KEY of its own is needed.
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url and not database_url.startswith("sqlite") and not os.environ.get("SECRET_KEY"):
            raise RuntimeError(
                "DATABASE_URL names a database server, but SECRET_KEY is not set: the development secret key "
                "is public. Set SECRET_KEY (and CRM_ENV=production for a live service)"
            )


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SERVER_NAME = None
    # Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
    PASSWORD_HASH_FAST = True
    # pytest collects log records itself (caplog, and the report of a failing test); a stream would flood.
    LOG_TO_STDERR = False
    # REDIS_URL, when the test run sets it, is for the job queue only: rate-limit counters stay in each test
    # process's memory (as without Redis), so parallel workers (all 127.0.0.1) never count, or reset, each
    # other's requests. A test that wants counters in Redis names REDIS_URL itself.
    REDIS_URL = None
    JOB_REDIS_URL = os.environ.get("REDIS_URL")
    JOB_RESULT_TTL = 10 * 60
    SMTP_HOST = None  # messages stay in the outbox, where the tests read them
    REPORT_CACHE_SECONDS = 0  # every test sees its own records; test_report_cache.py turns it on


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SEND_HSTS = True

    @classmethod
    def check(cls):
        # REDIS_URL too: without it each gunicorn worker keeps its own rate-limit counters, so every limit
        # would be multiplied by the number of workers, and behind a load balancer by the number of servers.
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production needs these environment variables: {', '.join(missing)}")


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def config_for(name: str | None):
    name = name or os.environ.get("CRM_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"CRM_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    config = CONFIGS[name]
    if name in ("development", "production"):
        config.check()
    if name == "production":
        # Read at start-up, never defaulted: a subclass keeps the class itself unchanged.
        config = type(
            "RuntimeProductionConfig",
            (config,),
            {
                "SECRET_KEY": os.environ["SECRET_KEY"],
                "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
                "REDIS_URL": os.environ["REDIS_URL"],
                "TRUSTED_PROXIES": _whole_number("TRUSTED_PROXIES", 0),
            },
        )
    return config
