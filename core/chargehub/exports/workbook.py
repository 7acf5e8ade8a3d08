"""Writing one export to an .xlsx with flat memory: keyset-paged rows into a write-only workbook.

Rows are read in chunks of :data:`CHUNK` through keyset paging (``WHERE key < last ORDER BY key DESC
LIMIT n``): each chunk is a short query of its own, so progress can be committed between chunks and no
server-side cursor is held open across those commits (a named PostgreSQL cursor closes on commit, and
SQLite would lock the progress writes out). Each QR PNG is made just before its row is written.

openpyxl keeps every embedded image (and builds the drawing part for all of them) until the workbook is
saved: about 10 KB and 1.1 ms per image. Exports of more rows than the image limit therefore carry the
QR URL only, and say so on a second sheet (docs/decisions/0006-qr-exports.md has the measurements).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from chargehub.exports.kinds import ExportSource
from chargehub.extensions import db
from chargehub.qrcodes.images import qr_png

CHUNK = 1000
IMAGE_ROW_HEIGHT = 86  # points: fits the 111-pixel QR image of qr_png()
Progress = Callable[[int, int], None]


def count_rows(statement: sa.Select) -> int:
    """How many rows ``statement`` yields."""
    return db.session.execute(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())).scalar_one()


def keyset_chunks(statement: sa.Select, key: Any, size: int = CHUNK) -> Iterator[list[sa.Row]]:
    """``statement``'s rows, newest key first, ``size`` at a time; the first column must be ``key``."""
    last = None
    while True:
        page = statement if last is None else statement.where(key < last)
        rows = db.session.execute(page.order_by(key.desc()).limit(size)).all()
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1][0]


def _header(ws, headers: tuple[str, ...]) -> list[WriteOnlyCell]:
    bold = Font(bold=True)
    cells = []
    for title in headers:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        cells.append(cell)
    return cells


def write_workbook(path: Path, source: ExportSource, statement: sa.Select, base: str, total: int,
                   with_images: bool, progress: Progress, image_limit: int) -> int:
    """Write ``statement``'s rows to ``path``; call ``progress(written, total)`` after every chunk.

    :param with_images: embed a QR PNG in ``source.image_column`` of every row.
    :param image_limit: only quoted in the note sheet written when images are left out.
    :returns: the number of data rows written.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(source.title[:31])
    for index, width in enumerate(source.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    embed = with_images and source.image_column is not None
    if embed:
        sheet.sheet_format.defaultRowHeight = IMAGE_ROW_HEIGHT
        sheet.sheet_format.customHeight = True
        sheet.row_dimensions[1].height = 20
    sheet.append(_header(sheet, source.headers))
    image_letter = get_column_letter(source.image_column + 1) if source.image_column is not None else ""
    written = 0
    for chunk in keyset_chunks(statement, source.key):
        for record in chunk:
            values, url = source.row(record, base)
            written += 1
            if embed and url:
                image = SheetImage(io.BytesIO(qr_png(url)))
                image.anchor = f"{image_letter}{written + 1}"
                sheet.add_image(image)
            sheet.append(values)
        progress(written, total)
    if not embed and source.image_column is not None:
        note = workbook.create_sheet("说明")
        note.append([f"本次导出共 {written} 行，超过 {image_limit} 行的导出不嵌入二维码图片 "
                     f"(exports over {image_limit} rows carry the QR URL only)。"])
        note.append(["「二维码URL」列即二维码内容，可用标签打印机批量生成二维码；"
                     f"缩小搜索范围到 {image_limit} 行以内再导出即可得到带图片的文件。"])
    workbook.save(path)
    return written
