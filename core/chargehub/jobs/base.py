"""Shared vocabulary of the job system: queue names, :class:`JobInfo`, function references."""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

#: Every queue a job may be put on. Workers listen on all of them unless told otherwise.
QUEUES: tuple[str, ...] = ("default", "listeners", "exports", "periodic")

#: The states :attr:`JobInfo.state` can take.
JOB_STATES: frozenset[str] = frozenset({"queued", "running", "finished", "failed", "retrying"})

#: Seconds an rq job may run before the worker kills it (exports of large tables take minutes).
JOB_TIMEOUT = 3600
#: Seconds rq keeps a finished job (and so its :class:`JobInfo`), and a failed one.
RESULT_TTL = 24 * 3600
FAILURE_TTL = 7 * 24 * 3600

logger = logging.getLogger("chargehub.jobs")


class JobNotFound(KeyError):
    """``status()`` was asked about a job id the backend does not know (never enqueued, or expired)."""


@dataclass(frozen=True)
class JobInfo:
    """A snapshot of one job, as returned by :meth:`chargehub.jobs.JobQueue.status`.

    ``id``           the job id returned by ``enqueue``
    ``state``        one of ``queued``, ``running``, ``finished``, ``failed``, ``retrying``
                     (``retrying``: an attempt failed and the next one is waiting or queued)
    ``attempts``     how many attempts have started so far (0 while first queued)
    ``progress``     last fraction reported with :func:`chargehub.jobs.set_progress`, 0.0 .. 1.0
    ``result_meta``  the keyword arguments accumulated from ``set_progress(**meta)`` calls
    ``error``        ``"ExceptionType: message"`` of the last failed attempt, else ``None``
    """

    id: str
    state: str
    attempts: int = 0
    progress: float = 0.0
    result_meta: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def function_path(func: Callable[..., Any] | str) -> str:
    """Return the ``"package.module:function"`` reference of ``func``.

    ``func`` is either such a string (validated by importing it) or a module-level function that can
    be imported back by name. Lambdas, nested functions and bound methods raise :class:`ValueError`
    at enqueue time, in every backend, because an rq worker could not import them.
    """
    if isinstance(func, str):
        resolve(func)
        return func
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not module or not qualname or "<" in qualname or "." in qualname:
        raise ValueError(f"job function {func!r} must be a module-level function (or a 'module:function' path)")
    path = f"{module}:{qualname}"
    if resolve(path) is not func:
        raise ValueError(f"job function {func!r} is not importable as {path}")
    return path


def resolve(path: str) -> Callable[..., Any]:
    """Import the callable named by ``"package.module:function"`` (``"package.module.function"`` also works)."""
    if ":" in path:
        module_name, _, attr = path.partition(":")
    else:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise ValueError(f"{path!r} is not a 'package.module:function' reference")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot import job function {path!r}: {exc}") from exc
    if not callable(target):
        raise ValueError(f"{path!r} is not callable")
    return target


def check_queue(name: str) -> str:
    """Return ``name`` if it is one of :data:`QUEUES`, else raise :class:`ValueError`."""
    if name not in QUEUES:
        raise ValueError(f"unknown job queue {name!r}; use one of {', '.join(QUEUES)}")
    return name


def describe_error(exc: BaseException) -> str:
    """The one-line ``"ExceptionType: message"`` form stored in :attr:`JobInfo.error`."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
