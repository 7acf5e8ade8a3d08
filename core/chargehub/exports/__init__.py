"""Exports (导出): the ONE export helper — .xlsx files of a list search, written by a job.

Public API:

* :func:`start_export` ``(kind, filters, user)`` → :class:`ExportFile` (queued on the ``exports`` queue);
* :func:`run_export` — the job; :func:`file_path` — where a finished file is;
* :class:`ExportSource`, :func:`register_kind`, :func:`get_source` — export kinds (core: ``gun``,
  ``socket``: the QR-code exports of :mod:`chargehub.qrcodes.sources`).
"""
from chargehub.exports.kinds import ExportSource, get_source, kind_names, register_kind
from chargehub.exports.models import ExportFile, ExportState
from chargehub.exports.service import clean_filters, file_path, run_export, start_export

__all__ = ["ExportFile", "ExportSource", "ExportState", "clean_filters", "file_path", "get_source", "kind_names",
           "register_kind", "run_export", "start_export"]
