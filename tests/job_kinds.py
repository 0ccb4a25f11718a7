"""Job kinds that exist only for the tests: a job whose work horse dies half-way, as a worker killed by the
operating system (out of memory, say) would."""

import os
import signal

from crm.core import audit
from crm.core.jobs import Run, job_kind
from crm.extensions import db
from crm.groups.models import CommunityGroup

DIES_HALF_WAY = "test.dies_half_way"


@job_kind(DIES_HALF_WAY)
def dies_half_way(run: Run) -> dict:
    """Add groups (flushed, so the database has them in the job's open transaction), report progress,
    then kill the process running the job: nothing may be committed."""
    for number in range(run.params["groups"]):
        group = CommunityGroup(name=f"Half Way {number}", match_key=f"half way {number}", kind="vcse")
        db.session.add(group)
        db.session.flush()
        audit.record(run.actor, "group.imported", group)
        run.progress(number + 1, stage="Adding groups")
    os.kill(os.getpid(), signal.SIGKILL)
    return {}
