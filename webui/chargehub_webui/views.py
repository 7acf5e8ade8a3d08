"""Admin pages. The start page shows the platform's state from the same checks as ``/healthz``."""
from __future__ import annotations

from flask import Blueprint, render_template

from chargehub import __version__

bp = Blueprint("webui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/webui-assets")


@bp.get("/")
def index():
    """平台首页: version, links to the API document and the health endpoint."""
    return render_template("webui/index.html", version=__version__)
