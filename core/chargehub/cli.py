"""The ``chargehub`` command: one entry point for every process.

``chargehub run``        web + gateway + jobs in one process group (the embedded default)
``chargehub web``        the web process only (waitress)
``chargehub gateway``    a device gateway node
``chargehub worker``     a job worker
``chargehub db ...``     migrations (Flask-Migrate: ``db upgrade``, ``db current``, ...)
``chargehub create-admin``, ``chargehub plugins list``, ``chargehub demo``
``chargehub drivers topup``  credit a driver's balance (creates the driver; the demo uses it)

Plugins add commands through the ``register_commands`` hook.
"""
from __future__ import annotations

import os
import secrets
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from chargehub.app import create_app
from chargehub.schema_check import require_current_schema


def _serve(host: str, port: int, threads: int) -> None:
    from waitress import serve  # noqa: PLC0415

    app = current_app._get_current_object()
    click.echo(f"ChargeHub is serving on http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/")
    serve(app, host=host, port=port, threads=threads, ident="ChargeHub")


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def web_command(host: str, port: int, threads: int) -> None:
    """Serve the admin, the APIs and callbacks with waitress (production WSGI server)."""
    require_current_schema()
    _serve(host, port, threads)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-gateway", is_flag=True, help="Do not start the device gateway in this process.")
@with_appcontext
def run_command(host: str, port: int, threads: int, no_gateway: bool) -> None:
    """Run web, gateway and jobs together (the embedded default; also works with Redis configured)."""
    from chargehub.devices.gateway import start_in_thread  # noqa: PLC0415
    from chargehub.extensions import jobs  # noqa: PLC0415
    from chargehub.mqtt.embedded import start_embedded_broker  # noqa: PLC0415

    require_current_schema()
    app = current_app._get_current_object()
    jobs.start_background(app)
    broker = None if no_gateway else start_embedded_broker(app)
    gateway = None if no_gateway else start_in_thread(app, mqtt_url=broker.url if broker else None)
    try:
        _serve(host, port, threads)
    finally:
        if gateway is not None:
            gateway.stop()
        if broker is not None:
            broker.stop()
        jobs.stop_background()


@click.command("create-admin")
@click.option("--phone", required=True, help="Login phone of the platform administrator.")
@click.option("--name", default="平台管理员", show_default=True)
@click.option("--password", default=None, help="Password (default: prompt; or --generate-password).")
@click.option("--generate-password", is_flag=True, help="Generate a password and print it once.")
@click.option("--if-missing", is_flag=True, help="Do nothing (exit 0) when a user with this phone exists.")
@click.option("--password-file", type=click.Path(dir_okay=False), default=None,
              help="With --generate-password: also write the password to this file (mode 0600).")
@with_appcontext
def create_admin_command(phone, name, password, generate_password, if_missing, password_file) -> None:
    """Create a platform (system) administrator."""
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.models import User, UserType  # noqa: PLC0415
    from chargehub.tenancy.passwords import hash_password  # noqa: PLC0415

    require_current_schema()
    if db.session.execute(sa.select(User.id).where(User.phone == phone)).first():
        if if_missing:
            click.echo(f"administrator {phone} already exists")
            return
        raise click.ClickException(f"用户 {phone} 已存在 (a user with phone {phone} already exists)")
    if generate_password:
        password = secrets.token_urlsafe(12)
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.add(User(phone=phone, name=name, password_hash=password_hash, user_type=UserType.SYSTEM, is_owner=True))
    db.session.commit()
    if generate_password and password_file:
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
    click.echo(f"administrator created: phone {phone}" + (f", password {password}" if generate_password else ""))


@click.group("plugins")
def plugins_group() -> None:
    """Installed plugins."""


@plugins_group.command("list")
@with_appcontext
def plugins_list_command() -> None:
    """List installed plugins with level, version and availability."""
    from chargehub.extensions import plugin_host  # noqa: PLC0415

    infos = plugin_host.plugins()
    if not infos:
        click.echo("no plugins installed")
    for info in infos:
        meta = info.meta
        state = "available" if info.available else "UNAVAILABLE: " + "; ".join(info.compatibility_errors)
        click.echo(f"{meta.name:<24} {meta.version:<10} {meta.level.value:<9} {meta.category:<12} {meta.verbose_name}  [{state}]  ({info.source})")


@click.command("demo")
@click.option("--list-devices", type=click.Choice(["ykc", "bike"]), default=None,
              help="Print the demo's pile codes (ykc) or e-bike charger ids (bike), one per line, and exit.")
@with_appcontext
def demo_command(list_devices: str | None) -> None:
    """Seed a demo service provider (approved) with its own login, network and driver; safe to run again."""
    from chargehub.demo import demo_device_ids, seed_demo  # noqa: PLC0415

    if list_devices:
        click.echo("\n".join(demo_device_ids(list_devices)))
        return
    require_current_schema()
    for line in seed_demo():
        click.echo(line)


def _build_cli() -> click.Group:
    from chargehub.devices.gateway.cli import gateway_command  # noqa: PLC0415
    from chargehub.jobs.cli import worker_command  # noqa: PLC0415
    from chargehub.members.cli import drivers_group  # noqa: PLC0415

    group = FlaskGroup(name="chargehub", create_app=create_app, add_default_commands=False,
                       set_debug_flag=False, help="ChargeHub charging platform.")
    for command in (run_command, web_command, gateway_command, worker_command, create_admin_command,
                    plugins_group, demo_command, drivers_group, shell_command, routes_command):
        group.add_command(command)
    return group


cli = _build_cli()


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main())
