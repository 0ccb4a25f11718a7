"""The test suite's RQ worker: `flask crm worker`'s own Worker, with the test-only job kinds loaded too.

Run by tests/conftest.py as `python -m tests.job_worker`, with TEST_DATABASE_URL, REDIS_URL, JOB_QUEUE and
JOB_FILES naming the test process's own database, Redis, queue and folder, and TEST_SMTP_HOST and
TEST_SMTP_PORT its SMTP server (tests/mail_server.py)."""

import os

import tests.job_kinds  # noqa: F401  (registers the test-only job kinds)
from crm import create_app
from crm.core.jobs import Worker

if __name__ == "__main__":
    smtp = {}
    if os.environ.get("TEST_SMTP_HOST"):
        smtp = {
            "SMTP_HOST": os.environ["TEST_SMTP_HOST"],
            "SMTP_PORT": int(os.environ["TEST_SMTP_PORT"]),
            "SMTP_STARTTLS": False,
        }
    app = create_app("test", **smtp)
    with app.app_context():
        Worker(app).work(logging_level="WARNING")
