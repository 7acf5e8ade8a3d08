"""QR codes (二维码): the stable charging URL of each gun and socket, and its printable images.

Public API:

* :func:`charge_url` — the ONE function that builds a charging URL
  (``<PUBLIC_URL>/h5/charge/g/<gun.qr_token>``, ``.../s/<socket.qr_token>``);
* :func:`base_url` — the public base those URLs start with (``CHARGEHUB_PUBLIC_URL`` or the request's host);
* :func:`render` — a PNG in one of :data:`TEMPLATES` (``plain``, ``labeled``, ``card``) with a :class:`Caption`;
* :func:`qr_png` — the bare QR image, small and fast, as embedded in exports.

The export kinds ``gun`` and ``socket`` (an .xlsx of a search with the QR images) live in
:mod:`chargehub.qrcodes.sources` and run through the one export helper, :mod:`chargehub.exports`.
"""
from chargehub.qrcodes.images import TEMPLATES, Caption, qr_png, render
from chargehub.qrcodes.links import KINDS, PILE_PREFIX_PATH, base_url, charge_url, pile_qr_prefix

__all__ = ["KINDS", "PILE_PREFIX_PATH", "TEMPLATES", "Caption", "base_url", "charge_url", "pile_qr_prefix", "qr_png",
           "render"]
