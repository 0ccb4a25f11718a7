"""Production's server: gunicorn started as the README says names no server software in its responses."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_with_the_repository_config_sends_no_server_header():
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "gunicorn.conf.py",
        "--no-control-socket",
        "-w",
        "1",
        "-b",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]
    env = {**os.environ, "CRM_ENV": "test", "TEST_DATABASE_URL": "sqlite://"}
    server = subprocess.Popen(  # noqa: S603 (a fixed command)
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accessibility", timeout=5) as response:
                    headers = response.headers
                    break
            except OSError:
                assert server.poll() is None, "gunicorn stopped at start-up"
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert headers.get("Server") is None, headers.get("Server")
        assert headers.get("X-Content-Type-Options") == "nosniff"  # the app's own headers are untouched
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
