"""gunicorn as production runs it (README: `gunicorn --no-control-socket -w 4`), on a free loopback port,
started and stopped by the benchmark, with its workers' memory read from /proc."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`with Gunicorn("bench.bench_wsgi:app", env) as server:` serves until the block ends. The server runs in
    its own process group, so stopping it ends its workers too and nothing is left behind."""

    def __init__(self, app: str, env: dict[str, str], workers: int = WORKERS, label: str = "app"):
        self.app = app
        self.env = {**os.environ, **env}
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.gettempdir()) / f"benchmark-gunicorn-{label}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--no-control-socket",
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--pythonpath",
            str(ROOT / "scripts"),
            self.app,
        ]
        # gunicorn's own log and the app's JSON request lines both go to stderr: to a file, not the report.
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start-up; see {self.log_path}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200 and self.worker_pids():
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 90 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group we started: master and workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
            self.log_path.unlink(missing_ok=True)

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # the parent pid
                pids.append(int(entry.name))
        return pids

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def memory_kib(pid: int, field: str = "VmRSS") -> int | None:
    """A process's resident memory (VmRSS) or its peak since the last reset (VmHWM), in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak(pid: int) -> bool:
    """Start VmHWM again from the current RSS (writing 5 to clear_refs), so the peak is this export's."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False
