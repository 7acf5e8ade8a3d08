"""``chargehub worker``: work rq queues (with Redis) or run jobs in-process (embedded)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from chargehub.jobs.base import QUEUES
from chargehub.jobs.queue import EXTENSION_KEY
from chargehub.schema_check import require_current_schema


@click.command("worker")
@click.option("--queue", "-q", "queues", multiple=True, type=click.Choice(QUEUES),
              help="Queue to work (repeatable; default: all).")
@click.option("--burst", is_flag=True, help="Quit when the queues are empty.")
@click.option("--no-scheduler", is_flag=True, help="Do not run periodic jobs or promote delayed retries here.")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool, no_scheduler: bool) -> None:
    """Run background jobs and periodic jobs until Ctrl-C.

    With CHARGEHUB_REDIS_URL set, this is an rq worker; start as many as you need. Without Redis,
    jobs normally run inside `chargehub run`; this command then runs the in-process executor and
    the periodic ticker in the foreground instead (for one-off maintenance).
    """
    require_current_schema()  # jobs read and write the database
    app = current_app._get_current_object()
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        raise click.ClickException("the job queue is not initialised for this app")
    if state.backend.name == "inprocess":
        click.echo("No CHARGEHUB_REDIS_URL configured: jobs normally run inside `chargehub run`. "
                   "Running the in-process executor and periodic ticker here until Ctrl-C.", err=True)
    state.queue.run_worker(app, queues=list(queues) or None, burst=burst, with_scheduler=not no_scheduler)
