"""The export writer: one .xlsx from an :class:`~chargehub.exports.plan.ExportPlan`, in flat memory.

Runs in a process of its own (``python -m chargehub.exports.writer``, the pickled plan on stdin) that
imports only SQLAlchemy's core, the database driver, openpyxl and the QR library — never the app — so
an export's peak memory is the writer's own (about 70 MB whatever the row count) instead of a worker's
that has all of ChargeHub loaded. The app runs :func:`write` in-process only for an in-memory SQLite
database, which another process cannot open. See docs/decisions/0006-qr-exports.md.

Protocol on stdout, one JSON object per line: ``{"rows": n}`` after every chunk, then
``{"done": n, "peak_rss_mb": m}``. On failure the exit status is non-zero and stderr says why.

Rows are read a chunk at a time by keyset (``WHERE key < last ORDER BY key DESC LIMIT n``): short
indexed queries, no cursor held open. Each QR PNG is made just before its row is written.
"""
from __future__ import annotations

import importlib
import io
import json
import pickle
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy as sa

from chargehub.exports.plan import FIRST_KEY, ExportPlan, SheetRow

IMAGE_ROW_HEIGHT = 86  # points: fits the 111-pixel QR image of qr_png()
Progress = Callable[[int], None]


def load_row_function(path: str) -> Callable[[Any, str], SheetRow]:
    """The row function named ``"module:function"``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def chunks(connection: sa.Connection, plan: ExportPlan) -> Iterator[list[Any]]:
    """The plan's rows, newest key first, ``plan.chunk`` at a time."""
    last = FIRST_KEY
    while True:
        rows = connection.exec_driver_sql(plan.query.sql, plan.query.parameters(last)).all()
        connection.rollback()  # end the read transaction between chunks: nothing is held open
        if rows:
            yield rows
        if len(rows) < plan.chunk:
            return
        last = rows[-1][0]


def write(plan: ExportPlan, connection: sa.Connection, progress: Progress) -> int:
    """Write the plan's rows to ``plan.path``; call ``progress(written)`` after every chunk.

    :returns: the number of data rows written.
    """
    from openpyxl import Workbook  # noqa: PLC0415 - ~20 MB: only the process that writes pays for it
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.drawing.image import Image as SheetImage  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    from chargehub.qrcodes.images import qr_png  # noqa: PLC0415

    row_function = load_row_function(plan.row)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(plan.title[:31])
    for index, width in enumerate(plan.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    embed = plan.embed_images and plan.image_column is not None
    if embed:
        sheet.sheet_format.defaultRowHeight = IMAGE_ROW_HEIGHT
        sheet.sheet_format.customHeight = True
        sheet.row_dimensions[1].height = 20
    bold = Font(bold=True)
    header = []
    for title in plan.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    image_letter = get_column_letter(plan.image_column + 1) if plan.image_column is not None else ""
    written = 0
    for chunk in chunks(connection, plan):
        for record in chunk:
            values, url = row_function(record, plan.base)
            written += 1
            if embed and url:
                image = SheetImage(io.BytesIO(qr_png(url)))
                image.anchor = f"{image_letter}{written + 1}"
                sheet.add_image(image)
            sheet.append(values)
        progress(written)
    if not embed and plan.image_column is not None:
        note = workbook.create_sheet("说明")
        note.append([f"本次导出共 {written} 行，超过 {plan.image_limit} 行的导出不嵌入二维码图片 "
                     f"(exports over {plan.image_limit} rows carry the QR URL only)。"])
        note.append(["「二维码URL」列即二维码内容，可用标签打印机批量生成二维码；"
                     f"缩小搜索范围到 {plan.image_limit} 行以内再导出即可得到带图片的文件。"])
    workbook.save(plan.path)
    return written


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource  # noqa: PLC0415 - not Linux: ru_maxrss (KB on most systems)

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    """Entry point of the writer process: plan on stdin, progress lines on stdout."""
    plan: ExportPlan = pickle.load(sys.stdin.buffer)

    def report(**fields: Any) -> None:
        sys.stdout.write(json.dumps(fields) + "\n")
        sys.stdout.flush()

    engine = sa.create_engine(plan.database_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            written = write(plan, connection, lambda rows: report(rows=rows))
    finally:
        engine.dispose()
    report(done=written, peak_rss_mb=peak_rss_mb())
    return 0


if __name__ == "__main__":
    sys.exit(main())
