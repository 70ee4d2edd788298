"""The queue's own upkeep: jobs of a dead worker go back to the queue.

A worker beats every ``JOBS_HEARTBEAT_SECONDS``; one silent for ``JOBS_STALLED_AFTER_SECONDS`` (killed, its machine
gone) is taken for dead, and the jobs it was running are put back to "todo" for another worker. Every task is
idempotent, so one that had half run is safe to run again.
"""

from __future__ import annotations

import logging

from django.conf import settings
from procrastinate.contrib.django import app

log = logging.getLogger(__name__)


@app.periodic(cron="* * * * * */5")  # every five seconds (croniter: seconds are the sixth field)
# No lock: a run held by a dead worker must not block the run that frees it.
@app.task(name="core.retry_stalled", queueing_lock="core.retry_stalled")
async def retry_stalled(timestamp: int) -> int:
    after = settings.JOBS_STALLED_AFTER_SECONDS
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=after))
    for job in stalled:
        log.warning("job %s (%s) of a dead worker goes back to the queue", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    return len(stalled)
