"""WSGI entry point for any server: ``waitress-serve chargehub.wsgi:app`` or ``gunicorn chargehub.wsgi:app``.

Refuses to start on an outdated database schema.
"""
from chargehub.app import create_app
from chargehub.schema_check import ensure_schema_current

app = create_app()
ensure_schema_current(app)
