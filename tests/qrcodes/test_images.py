"""Charging URLs and QR images: stable URLs, three templates that decode back to the URL."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from chargehub.qrcodes import TEMPLATES, Caption, base_url, charge_url, qr_png, render
from tests.qrcodes.conftest import PUBLIC_URL, decode_png

pytestmark = pytest.mark.smoke

URL = "https://charge.example.com/h5/charge/g/AbCdEfGhIjKl"
CAPTION = Caption(station="阳光花园汽车充电站", label="1号桩 2号枪", code="P00000001-02", hotline="400-100-2000")


def test_charge_url_uses_public_url_and_token(make_app):
    app = make_app(PUBLIC_URL=PUBLIC_URL + "/")
    with app.app_context():
        assert charge_url("gun", "tok123") == f"{PUBLIC_URL}/h5/charge/g/tok123"
        assert charge_url("socket", "tok456") == f"{PUBLIC_URL}/h5/charge/s/tok456"
        assert charge_url("gun", "tok123") == charge_url("gun", "tok123")  # stable: only the token matters
        assert charge_url("gun", "t", base="http://10.0.0.1:8000/") == "http://10.0.0.1:8000/h5/charge/g/t"
        with pytest.raises(ValueError):
            charge_url("pile", "tok")


def test_charge_url_falls_back_to_request_host(make_app):
    app = make_app()
    with app.test_request_context("/", base_url="http://ops.example.org:8080"):
        assert base_url() == "http://ops.example.org:8080"
        assert charge_url("gun", "abc") == "http://ops.example.org:8080/h5/charge/g/abc"
    with app.app_context(), pytest.raises(RuntimeError, match="CHARGEHUB_PUBLIC_URL"):
        base_url()


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_is_a_png_that_decodes_to_the_url(template):
    data = render(URL, template, CAPTION)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert decode_png(data) == URL


def test_templates_differ_and_carry_their_captions():
    plain, labeled, card = (Image.open(io.BytesIO(render(URL, t, CAPTION))) for t in TEMPLATES)
    assert plain.width == plain.height  # the bare code is square
    assert labeled.height > labeled.width >= plain.width * 0.8  # text lines below the code
    assert card.size == (600, 900)
    # the card's title band is the accent colour, its body white
    assert card.convert("RGB").getpixel((300, 30)) == (22, 150, 90)
    assert card.convert("RGB").getpixel((30, 400)) == (255, 255, 255)


def test_labeled_without_caption_and_long_station_names():
    long_name = "超长电站名称" * 20
    data = render(URL, "labeled", Caption(station=long_name))
    assert decode_png(data) == URL
    assert Image.open(io.BytesIO(render(URL, "card", Caption(station=long_name)))).size == (600, 900)


def test_unknown_template_is_refused():
    with pytest.raises(ValueError, match="unknown QR template"):
        render(URL, "poster")


def test_small_export_png_decodes():
    data = qr_png(URL)
    assert Image.open(io.BytesIO(data)).size[0] <= 130
    assert decode_png(data) == URL
