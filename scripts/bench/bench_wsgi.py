"""The app as the benchmark serves it: the real create_app, with every rate limit made generous.

Only for the benchmark: a limit of ten responses a minute would refuse the load test after ten posts and the
benchmark would time the refusal page. The limiter itself stays on, so its cost is still measured. Every
configured limit is matched by name ("…RATE_LIMIT…"), so a limit added later is covered too.

Exports are streamed in the request whatever their size, so the export rows time the writing of the file
itself: a background job (over JOB_THRESHOLD_ROWS in production) writes the same rows with the same writer.
"""

from config import config_for
from crm import create_app

GENEROUS = "1000000 per minute"


def generous_limits() -> dict[str, str]:
    config = config_for(None)
    return {
        name: GENEROUS
        for name in dir(config)
        if "RATE_LIMIT" in name and isinstance(getattr(config, name), str)
    }


app = create_app(**generous_limits(), JOB_THRESHOLD_ROWS=10**9)
