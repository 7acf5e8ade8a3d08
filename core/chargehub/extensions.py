"""The process-wide extension objects, each bound to an app with ``init_app`` in :mod:`chargehub.app`.

``db`` (Flask-SQLAlchemy), ``migrate`` (Flask-Migrate / Alembic), ``api`` (flask-smorest, the OpenAPI
document), ``plugin_host`` (pluggy), ``jobs`` (rq or in-process) and ``command_bus`` (Redis or
in-process). Import them from here; never create a second instance.
"""
from __future__ import annotations

from pathlib import Path

from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy

from chargehub.db import Base
from chargehub.devices.bus import CommandBusExtension
from chargehub.jobs import JobQueue
from chargehub.plugins.host import PluginHost

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")

db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
api = Api()
plugin_host = PluginHost()
jobs = JobQueue()
command_bus = CommandBusExtension()
