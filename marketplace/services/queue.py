"""The RQ adapter: the Redis connection, the queue, and the bridge from outbox rows to RQ jobs.

It lives with the services because the outbox hands its rows to RQ from here; the worker
(`python -m worker`) imports it to listen on the same queue, never the other way round. RQ runs
each row through `worker.jobs.run_outbox_job`, named by its dotted path: the worker's entry
point, which opens the worker's app context around `outbox.execute`."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

RETRY_INTERVALS = [10, 60, 300]
# An RQ job in one of these states is over; any other state (queued, scheduled, started, ...)
# means it is still to run, and relaying its row again must leave it alone.
_ENDED = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def redis_connection(url: str | None = None, *, blocking: bool = False) -> Redis:
    """A Redis client that gives up after REDIS_SOCKET_TIMEOUT seconds.

    The relay runs right after a request's commit and must not hang that request when Redis is
    down or accepts but never answers. A worker's own connection (`blocking=True`) waits on
    BLPOP for minutes: it keeps the short connect timeout and lets RQ set its read timeout."""
    timeout = current_app.config["REDIS_SOCKET_TIMEOUT"]
    return Redis.from_url(
        url or current_app.config["REDIS_URL"],
        socket_connect_timeout=timeout,
        socket_timeout=None if blocking else timeout,
    )


def queue(connection: Redis | None = None, *, is_async: bool = True) -> Queue:
    """The app's RQ queue (RQ_QUEUE under REDIS_PREFIX, so test runs sharing a Redis stay apart)."""
    prefix = current_app.config.get("REDIS_PREFIX", "")
    name = f"{prefix}{current_app.config['RQ_QUEUE']}"
    return Queue(name, connection=connection or redis_connection(), is_async=is_async)


def outbox_job_id(outbox_id: int) -> str:
    """The RQ job id of an outbox row: derived from the row, so relaying it twice is one job."""
    return f"{current_app.config.get('REDIS_PREFIX', '')}outbox-{outbox_id}"


def retry_policy() -> Retry | None:
    """RQ retries so that RQ's attempts and the outbox row's JOB_MAX_ATTEMPTS end together.

    JOB_RETRY_INTERVALS (seconds, optional) overrides the backoff; 0 requeues at once, which
    lets a burst worker in tests run every attempt."""
    retries = current_app.config["JOB_MAX_ATTEMPTS"] - 1
    intervals = current_app.config.get("JOB_RETRY_INTERVALS", RETRY_INTERVALS)
    return Retry(max=retries, interval=list(intervals)) if retries > 0 else None


def enqueue_outbox_job(
    outbox_id: int,
    connection: Redis | None = None,
    *,
    timeout: int | None = None,
    request_id: str | None = None,
) -> bool:
    """Put one outbox row on RQ; returns False when its job is already there. `timeout` is how
    long RQ lets it run (seconds; None is RQ's default); `request_id`, the row's, goes into the
    job's meta, where RQ's tools show it (the job itself reads it from the row).

    The job id is derived from the row id and enqueued with `unique=True`, so relaying a row
    twice (a relay that crashed before marking the row) gives one RQ job, not two runs. A
    finished or failed job hash left under that id (result/failure TTL) belongs to an earlier
    life of the id (e.g. a restored database) while the row is pending again: it is replaced."""
    q = queue(connection)
    job_id = outbox_job_id(outbox_id)
    for _ in range(2):
        try:
            q.enqueue(
                "worker.jobs.run_outbox_job",
                outbox_id,
                job_id=job_id,
                unique=True,
                job_timeout=timeout,
                retry=retry_policy(),
                result_ttl=3600,
                failure_ttl=7 * 24 * 3600,
                meta={"request_id": request_id} if request_id else None,
            )
            return True
        except DuplicateJobError:
            try:
                existing = Job.fetch(job_id, connection=q.connection)
            except NoSuchJobError:  # expired in between: enqueue again
                continue
            if existing.get_status(refresh=False) not in _ENDED:
                return False
            existing.delete()
    return False


def missing_outbox_jobs(outbox_ids: list[int], connection: Redis) -> list[int]:
    """The rows among `outbox_ids` whose RQ job hash no longer exists (one round trip)."""
    pipe = connection.pipeline(transaction=False)
    for outbox_id in outbox_ids:
        pipe.exists(Job.key_for(outbox_job_id(outbox_id)))
    return [i for i, found in zip(outbox_ids, pipe.execute(), strict=True) if not found]


def delete_prefixed_keys(connection: Redis, prefix: str) -> None:
    """Remove everything kept in Redis under a REDIS_PREFIX (queues, job hashes, registries,
    claims) and its entries in RQ's global sets of queues and workers: what a test run or a
    bench run leaves behind on a Redis it shares."""
    for key in connection.scan_iter(match=f"*{prefix}*", count=1000):
        connection.delete(key)
    for index in ("rq:queues", "rq:workers"):
        stale = [m for m in connection.smembers(index) if prefix.encode() in m]
        if stale:
            connection.srem(index, *stale)
