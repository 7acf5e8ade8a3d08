"""Jobs that start only once the transaction that asked for them has committed.

Services that create a record and want a job to act on it (a refund to send, a split to run) call
:func:`enqueue_after_commit` inside their transaction: the job is enqueued when the session commits and
forgotten when it rolls back, so a job never looks for a row that is not there (yet, or at all).
"""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

PENDING = "chargehub_after_commit"


def enqueue_after_commit(func: Callable[..., Any] | str, *args: Any, **options: Any) -> None:
    """Enqueue ``func(*args)`` (``options`` as :meth:`JobQueue.enqueue`) when the current session commits."""
    from chargehub.extensions import db  # noqa: PLC0415

    db.session().info.setdefault(PENDING, []).append((func, args, options))


@sa.event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    from chargehub.extensions import jobs  # noqa: PLC0415

    for func, args, options in pending:
        jobs.enqueue(func, *args, **options)


@sa.event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
