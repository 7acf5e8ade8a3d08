"""Background and periodic jobs: rq when Redis is configured, an in-process thread pool otherwise.

Public API (``from chargehub.jobs import ...``):

* :class:`JobQueue` — the extension (``chargehub.extensions.jobs``): ``enqueue``, ``status``,
  ``register_periodic``, ``start_background`` / ``stop_background``, ``run_worker``, ``health``.
* :class:`JobInfo`, :class:`JobNotFound`, :data:`QUEUES`.
* :func:`current_attempt`, :func:`set_progress` — for code running inside a job.
* :func:`enqueue_after_commit` — a job that starts once the current transaction commits.
"""
from chargehub.jobs.after_commit import enqueue_after_commit
from chargehub.jobs.base import QUEUES, JobInfo, JobNotFound
from chargehub.jobs.queue import JobQueue
from chargehub.jobs.runner import current_attempt, set_progress

__all__ = ["QUEUES", "JobInfo", "JobNotFound", "JobQueue", "current_attempt", "enqueue_after_commit", "set_progress"]
