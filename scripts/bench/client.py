"""Measuring over HTTP: signed-in page timings, streamed exports with the worker's memory, and the public
form under load (form and post pairs from several processes, as many people at once)."""

import multiprocessing
import threading
import time
from html.parser import HTMLParser

import requests

from bench.server import Gunicorn, memory_kib, reset_peak
from bench.stats import percentile

TIMEOUT = 300  # seconds: longer than any page should take, so a slow page is timed rather than cut off


# ---- forms ------------------------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The fields of the first form posted by the page, filled in as a person would: every hidden value
    kept, the first option of each radio group and checkbox group chosen, text areas written in, and other
    text inputs (name, email, the honeypot) left empty."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.action: str | None = None
        self._in_form = False
        self._done = False
        self._textarea: str | None = None
        self._chosen: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._done:
            return
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._in_form = True
            self.action = attributes.get("action")
        if not self._in_form:
            return
        name = attributes.get("name")
        kind = (attributes.get("type") or "text").lower()
        if tag == "input" and name:
            if kind == "hidden":
                self.fields.append((name, attributes.get("value") or ""))
            elif kind in ("radio", "checkbox") and name not in self._chosen:
                self._chosen.add(name)
                self.fields.append((name, attributes.get("value") or "y"))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, "The bus is too expensive and childcare closes before my shift ends."))
        elif tag == "button" and name and kind == "submit":
            self.fields.append((name, attributes.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def form_fields(html: str) -> tuple[list[tuple[str, str]], str | None]:
    reader = _FormReader()
    reader.feed(html)
    return reader.fields, reader.action


# ---- staff pages ------------------------------------------------------------------------------------------


def signed_in(base_url: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base_url + "/staff/sign-in", timeout=60)
    page.raise_for_status()
    fields, _action = form_fields(page.text)
    token = dict(fields).get("csrf_token", "")
    answer = session.post(
        base_url + "/staff/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        timeout=60,
    )
    if "/staff/sign-in" in answer.url:
        raise RuntimeError(f"Could not sign in as {email}: {answer.status_code}")
    return session


def time_page(session: requests.Session, url: str, runs: int, warmup: int = 2, budget_s: float = 90) -> dict:
    """Warm-up requests, then `runs` timed ones (fewer if the page is so slow that they would take longer
    than `budget_s`, but never fewer than five)."""
    warm_times = []
    for _ in range(warmup):
        started = time.perf_counter()
        response = _get(session, url)
        warm_times.append(time.perf_counter() - started)
        if response is None or response.status_code != 200:
            return {"error": _failure(response), "url": url}
    slowest = max(warm_times) if warm_times else 0
    planned = runs if slowest * runs <= budget_s else max(5, int(budget_s / max(slowest, 0.001)))
    samples, size = [], 0
    for _ in range(planned):
        started = time.perf_counter()
        response = _get(session, url)
        elapsed = (time.perf_counter() - started) * 1000
        if response is None or response.status_code != 200:
            return {"error": _failure(response), "url": url}
        samples.append(elapsed)
        size = len(response.content)
    return {
        "url": url,
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "runs": planned,
        "bytes": size,
        "samples_ms": [round(sample, 1) for sample in samples],
    }


def _get(session: requests.Session, url: str):
    try:
        return session.get(url, timeout=TIMEOUT)
    except requests.RequestException as error:
        return error


def _failure(response) -> str:
    if isinstance(response, Exception):
        return f"{type(response).__name__}: {response}"[:300]
    return f"HTTP {response.status_code}"


# ---- exports ----------------------------------------------------------------------------------------------


def time_export(session: requests.Session, url: str, server: Gunicorn) -> dict:
    """One streamed download: time to the first body byte, total time, size, and the serving worker's peak
    memory above what it held at rest just before (the most any worker grew, so the worker need not be
    known in advance)."""
    pids = server.worker_pids()
    resting = {pid: memory_kib(pid) or 0 for pid in pids}
    peaks_reset = all(reset_peak(pid) for pid in pids)
    sampled = dict(resting)
    stop = threading.Event()

    def sample():  # a fallback for when clear_refs cannot be written, and a check on it when it can
        while not stop.wait(0.05):
            for pid in pids:
                rss = memory_kib(pid)
                if rss is not None and rss > sampled.get(pid, 0):
                    sampled[pid] = rss

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    log_before = len(server.log_text())
    started = time.perf_counter()
    first_byte = None
    size = lines = 0
    error = None
    status = None
    try:
        with session.get(url, stream=True, timeout=TIMEOUT) as response:
            status = response.status_code
            for chunk in response.iter_content(chunk_size=64 * 1024):
                if first_byte is None and chunk:
                    first_byte = time.perf_counter() - started
                size += len(chunk)
                lines += chunk.count(b"\n")
            if status != 200:
                error = f"HTTP {status}"
    except requests.RequestException as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    total = time.perf_counter() - started
    stop.set()
    sampler.join()
    growth_kib = 0
    for pid in pids:
        peak = memory_kib(pid, "VmHWM") if peaks_reset else None
        peak = max(peak or 0, sampled.get(pid, 0))
        growth_kib = max(growth_kib, peak - resting[pid])
    new_log = server.log_text()[log_before:]
    if "WORKER TIMEOUT" in new_log:
        error = (error or "incomplete") + "; gunicorn's worker timeout killed the worker mid-download"
    return {
        "url": url,
        "status": status,
        "first_byte_s": first_byte,
        "total_s": total,
        "bytes": size,
        "rows": max(lines - 1, 0),  # less the header; the benchmark's texts have no line breaks
        "memory_above_resting_mb": growth_kib * 1024 / 1_000_000,
        "peak_from": "VmHWM after clear_refs" if peaks_reset else "VmRSS sampled every 50 ms",
        "error": error,
    }


# ---- the public form under load -------------------------------------------------------------------------


def _submitter(base_url: str, path: str, seconds: float, threads: int, results) -> None:
    counts = {"pairs": 0, "failed": 0, "statuses": {}, "pair_ms": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def one_person():
        session = requests.Session()
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                page = session.get(base_url + path, timeout=60)
                fields, action = form_fields(page.text)
                answer = session.post(
                    base_url + (action or path), data=fields, allow_redirects=False, timeout=60
                )
                status = answer.status_code
            except requests.RequestException as error:
                status = type(error).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                counts["statuses"][str(status)] = counts["statuses"].get(str(status), 0) + 1
                if status in (302, 303):
                    counts["pairs"] += 1
                    counts["pair_ms"].append(elapsed)
                else:
                    counts["failed"] += 1

    workers = [threading.Thread(target=one_person) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(counts)


def submissions(base_url: str, path: str, seconds: float, processes: int = 2, threads: int = 4) -> dict:
    """Form-and-post pairs per second from `processes` × `threads` people submitting back to back: a post
    counts when it is answered with a redirect (the receipt); anything else is counted by status."""
    results = multiprocessing.get_context("fork").Queue()
    started = time.perf_counter()
    people = [
        multiprocessing.get_context("fork").Process(
            target=_submitter, args=(base_url, path, seconds, threads, results)
        )
        for _ in range(processes)
    ]
    for person in people:
        person.start()
    gathered = [results.get(timeout=seconds + 180) for _ in people]
    for person in people:
        person.join()
    elapsed = time.perf_counter() - started
    pairs = sum(counts["pairs"] for counts in gathered)
    statuses: dict[str, int] = {}
    for counts in gathered:
        for status, number in counts["statuses"].items():
            statuses[status] = statuses.get(status, 0) + number
    pair_ms = [ms for counts in gathered for ms in counts["pair_ms"]]
    return {
        "per_second": pairs / elapsed,
        "pairs": pairs,
        "failed": sum(counts["failed"] for counts in gathered),
        "statuses": statuses,
        "seconds": elapsed,
        "concurrency": processes * threads,
        "pair_p50_ms": percentile(pair_ms, 50),
        "pair_p95_ms": percentile(pair_ms, 95),
    }
