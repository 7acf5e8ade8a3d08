"""QR images: the bare code and the manual's three printable templates, as PNG bytes.

Templates (``?template=`` of the download endpoints):

``plain``    the QR code alone, with its quiet zone;
``labeled``  the QR code with the station name, the gun/socket label and its code below it;
``card``     a printable card: the title 扫码充电, the QR code, station, label, code, the service
             hotline and a one-line instruction for the driver.

Text uses the system's Noto Sans CJK (Debian ``fonts-noto-cjk``) when it is installed, else Pillow's
built-in font (which has no CJK glyphs); fonts are never downloaded.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

TEMPLATES = ("plain", "labeled", "card")
FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_INDEX = 2  # Noto Sans CJK SC inside the collection
CARD_WIDTH, CARD_HEIGHT = 600, 900
ACCENT = (22, 150, 90)
INSTRUCTION = "请使用微信或支付宝扫码，按页面提示开始充电"


@dataclass(frozen=True)
class Caption:
    """The words printed with a QR code (all optional; empty lines are left out)."""

    station: str = ""  # 电站名称
    label: str = ""  # e.g. "1号桩 2号枪" / "A栋设备 3号插座"
    code: str = ""  # e.g. the pile code and gun number, "P00000001-02"
    hotline: str = ""  # 客服电话


def _matrix(url: str, border: int, fast: bool) -> list[list[bool]]:
    # ``fast`` uses one fixed mask (any mask is valid QR; choosing the best of eight costs 3x the time).
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, mask_pattern=0 if fast else None)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def qr_image(url: str, box_size: int = 10, border: int = 4, fast: bool = False) -> Image.Image:
    """The QR code of ``url`` as a greyscale Pillow image, ``box_size`` pixels per module."""
    matrix = _matrix(url, border, fast)
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels)
    return image.resize((size * box_size, size * box_size), Image.NEAREST)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_png(url: str, box_size: int = 3, border: int = 2) -> bytes:
    """A small PNG of the bare QR code, made fast (for embedding thousands of them in a sheet)."""
    return _png(qr_image(url, box_size=box_size, border=border, fast=True))


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The CJK font at ``size`` pixels, or Pillow's default font when Noto CJK is not installed."""
    if FONT_PATH.exists():
        return ImageFont.truetype(str(FONT_PATH), size, index=FONT_INDEX)
    return ImageFont.load_default(size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int) -> str:
    """``text`` shortened with an ellipsis until it fits ``max_width`` pixels."""
    face = font(size)
    if draw.textlength(text, font=face) <= max_width:
        return text
    while text and draw.textlength(text + "…", font=face) > max_width:
        text = text[:-1]
    return text + "…"


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, width: int, fill=(0, 0, 0)) -> int:
    """Draw ``text`` centred on a ``width``-wide canvas at ``y``; return the y below it."""
    text = _fit(draw, text, size, width - 40)
    face = font(size)
    draw.text((width / 2, y), text, font=face, fill=fill, anchor="mt")
    return y + int(size * 1.45)


def _labeled(url: str, caption: Caption) -> Image.Image:
    code = qr_image(url, box_size=8, border=4)
    lines = [(caption.station, 26), (caption.label, 22), (caption.code, 20)]
    lines = [(text, size) for text, size in lines if text]
    width = max(code.width, 360)
    height = code.height + sum(int(size * 1.45) for _, size in lines) + 16
    canvas = Image.new("RGB", (width, height), "white")
    canvas.paste(code, ((width - code.width) // 2, 0))
    draw = ImageDraw.Draw(canvas)
    y = code.height - 8  # the quiet zone below the code leaves room
    for text, size in lines:
        y = _centered(draw, y, text, size, width)
    return canvas


def _card(url: str, caption: Caption) -> Image.Image:
    canvas = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), "white")
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((6, 6, CARD_WIDTH - 7, CARD_HEIGHT - 7), radius=24, outline=ACCENT, width=6)
    draw.rounded_rectangle((6, 6, CARD_WIDTH - 7, 130), radius=24, fill=ACCENT)
    draw.rectangle((6, 100, CARD_WIDTH - 7, 130), fill=ACCENT)
    draw.text((CARD_WIDTH / 2, 68), "扫码充电", font=font(56), fill="white", anchor="mm")
    code = qr_image(url, box_size=10, border=4)
    if code.width > 440:
        code = code.resize((440, 440), Image.NEAREST)
    canvas.paste(code, ((CARD_WIDTH - code.width) // 2, 150))
    y = 150 + code.height + 10
    y = _centered(draw, y, caption.station, 32, CARD_WIDTH) if caption.station else y
    y = _centered(draw, y, caption.label, 28, CARD_WIDTH) if caption.label else y
    y = _centered(draw, y, f"编号 {caption.code}", 22, CARD_WIDTH, fill=(90, 90, 90)) if caption.code else y
    if caption.hotline:
        y = _centered(draw, y, f"客服电话 {caption.hotline}", 24, CARD_WIDTH)
    _centered(draw, max(y, CARD_HEIGHT - 70), INSTRUCTION, 20, CARD_WIDTH, fill=(90, 90, 90))
    return canvas


def render(url: str, template: str = "plain", caption: Caption | None = None) -> bytes:
    """The PNG of ``url``'s QR code in ``template`` (one of :data:`TEMPLATES`) with ``caption``.

    :raises ValueError: for an unknown template.
    """
    caption = caption or Caption()
    if template == "plain":
        return _png(qr_image(url))
    if template == "labeled":
        return _png(_labeled(url, caption))
    if template == "card":
        return _png(_card(url, caption))
    raise ValueError(f"unknown QR template {template!r}; expected one of {', '.join(TEMPLATES)}")
