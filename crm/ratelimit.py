"""Rate-limit storage that is safe under threads, for when counters live in the app's own memory.

`limits` 5.8.0's `memory://` storage is not: two threads arriving together can both find its expiry timer
stopped, both replace it, and both start the same new `threading.Timer` ("threads can only be started once",
a 500 for the person responding). Its per-key locks do not help, because `get` drops a key's lock while
another thread may hold it. This subclass takes one lock around every operation, the timer's sweep included.

It is the default storage (`locked-memory://`) only for one process, such as `make run` or the tests: under
gunicorn each worker would count on its own, so production uses Redis (see config.ProductionConfig.check).
"""

import threading

from limits.storage import MemoryStorage

SCHEME = "locked-memory"


class LockedMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]  # limits registers a storage under its scheme when the class is defined

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        # Before the parent's __init__, which starts the first expiry timer.
        self._lock = threading.RLock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    # The timer calls this name (the parent's private __expire_events); its sweep changes the same dicts.
    def _MemoryStorage__expire_events(self) -> None:
        with self._lock:
            super()._MemoryStorage__expire_events()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self._lock:
            return super().incr(key, expiry, amount)

    def decr(self, key: str, amount: int = 1) -> int:
        with self._lock:
            return super().decr(key, amount)

    def get(self, key: str) -> int:
        with self._lock:
            return super().get(key)

    def get_expiry(self, key: str) -> float:
        with self._lock:
            return super().get_expiry(key)

    def clear(self, key: str) -> None:
        with self._lock:
            super().clear(key)

    def reset(self) -> int | None:
        with self._lock:
            return super().reset()

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        with self._lock:
            return super().acquire_entry(key, limit, expiry, amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        with self._lock:
            return super().get_moving_window(key, limit, expiry)

    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        with self._lock:
            return super().acquire_sliding_window_entry(key, limit, expiry, amount)

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        with self._lock:
            return super().get_sliding_window(key, expiry)

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        with self._lock:
            super().clear_sliding_window(key, expiry)
