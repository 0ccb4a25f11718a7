"""Configuration by environment: CRM_ENV chooses development, test or production."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'community-voice.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Shared rate-limit counters and the queue of background jobs; without it jobs run in the request.
    REDIS_URL = os.environ.get("REDIS_URL")
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "community-voice")
    # Imports and exports of more rows than this run as background jobs, with a progress page.
    JOB_THRESHOLD_ROWS = int(os.environ.get("JOB_THRESHOLD_ROWS", "2000"))
    # A job running (or silent) for longer than this is stopped and marked failed.
    JOB_TIMEOUT = int(os.environ.get("JOB_TIMEOUT", str(30 * 60)))
    # Files that export jobs make; shared storage when workers run on other machines than the app.
    JOB_FILES = os.environ.get("JOB_FILES", str(INSTANCE_DIR / "job-files"))
    # How long the queue keeps its own record of a finished job (seconds); the job table keeps it for good.
    JOB_RESULT_TTL = 24 * 60 * 60

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "community_voice_session"
    # Staff are signed out after this long without a request (checked on the server too).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    PERMANENT_SESSION_LIFETIME = SESSION_IDLE_TIMEOUT
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = 60 * 60 * 4
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024

    SIGN_IN_MAX_FAILURES = 5
    SIGN_IN_LOCKOUT = timedelta(minutes=15)
    SIGN_IN_RATE_LIMIT = "30 per minute"

    REGISTRATION_RATE_LIMIT = "10 per hour"
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    RATELIMIT_HEADERS_ENABLED = True
    SEND_HSTS = False
    SUPPRESSION_THRESHOLD = 5
    # Public responses per client address (shared across app servers through Redis when configured).
    RESPONSE_RATE_LIMIT = "10 per minute;60 per hour"

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # JSON lines on stderr, where the process manager (systemd, a container runtime) collects them.
    LOG_TO_STDERR = True
    # Statements slower than this are logged with the request id (text only, never parameters).
    SLOW_QUERY_MS = int(os.environ.get("SLOW_QUERY_MS", "500"))


class DevelopmentConfig(Config):
    ENV_NAME = "development"


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
    # REDIS_URL, when the test run sets it, is for the job queue; rate-limit counters stay in each test
    # process's memory, so parallel workers (all 127.0.0.1) never count each other's requests.
    RATELIMIT_STORAGE_URI = "memory://"
    JOB_RESULT_TTL = 10 * 60


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    SEND_HSTS = True

    @classmethod
    def check(cls):
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production needs these environment variables: {', '.join(missing)}")


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def config_for(name: str | None):
    name = name or os.environ.get("CRM_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"CRM_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    config = CONFIGS[name]
    if name == "production":
        config.check()
        # Read at start-up, never defaulted: a subclass keeps the class itself unchanged.
        config = type(
            "RuntimeProductionConfig",
            (config,),
            {"SECRET_KEY": os.environ["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]},
        )
    return config
