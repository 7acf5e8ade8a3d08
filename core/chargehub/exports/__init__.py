"""Exports (导出): the ONE export helper — .xlsx files of a list search, written by a job.

Public API:

* :func:`start_export` ``(kind, filters, user)`` → :class:`ExportFile` (queued on the ``exports`` queue);
* :func:`run_export` — the job; :func:`file_path` — where a finished file is;
* :class:`ExportSource`, :func:`register_kind`, :func:`get_source` — export kinds (core: ``gun``,
  ``socket``: the QR-code exports of :mod:`chargehub.qrcodes.sources`).

The names are loaded on first use (PEP 562): the writer process (:mod:`chargehub.exports.writer`)
imports this package without the app, so importing it must not pull in Flask or the models.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "ExportSource": "kinds", "get_source": "kinds", "kind_names": "kinds", "register_kind": "kinds",
    "ExportFile": "models", "ExportState": "models",
    "clean_filters": "service", "file_path": "service", "run_export": "service", "start_export": "service",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
