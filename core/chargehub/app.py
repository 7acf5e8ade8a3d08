"""The application factory: ``create_app(config=None)``.

``config`` overrides settings by their plain name (``{"DATABASE_URL": ..., "REDIS_URL": ...}``, see
:mod:`chargehub.config`); any other key goes into ``app.config`` as is (``TESTING``,
``PLUGINS_EXTRA`` — plugin objects to register, for tests).
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from chargehub import config as config_module
from chargehub import logs
from chargehub.errors import PluginLoadError

#: Core command names a plugin command may not take.
RESERVED_COMMANDS = frozenset({"run", "web", "gateway", "worker", "db", "create-admin", "plugins", "demo", "shell", "routes",
                               "drivers"})
#: Command groups several plugins contribute subcommands to (name -> help).
SHARED_GROUPS = {"simulate": "Device simulators that speak a protocol over real sockets (tests, demos, benchmarks)."}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a ChargeHub app: settings, logging, database, plugins, jobs, command bus, APIs, pages."""
    overrides = dict(config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("CHARGEHUB_INSTANCE_PATH") or None
    app = Flask("chargehub", instance_path=instance_path, instance_relative_config=True)

    values = config_module.read_environment()
    for key in list(overrides):
        if key in values:
            values[key] = overrides.pop(key)
    app.config.update(config_module.finalize(values, app.instance_path))
    app.config.update(overrides)
    logs.configure_logging(values["LOG_LEVEL"], values["LOG_FORMAT"])
    logs.init_app(app)

    from chargehub import models  # noqa: F401,PLC0415 - register every table on the metadata
    from chargehub.extensions import command_bus, db, jobs, migrate, plugin_host  # noqa: PLC0415

    db.init_app(app)
    migrate.init_app(app, db)
    plugin_host.init_app(app)
    jobs.init_app(app)
    from chargehub.charging import ingest as order_ingest  # noqa: PLC0415
    from chargehub.charging import sweep as order_sweep  # noqa: PLC0415
    from chargehub.devices import billing_push  # noqa: PLC0415
    from chargehub.exports import service as exports_service  # noqa: PLC0415
    from chargehub.payments import sweep as payment_sweep  # noqa: PLC0415

    exports_service.register_periodic_jobs()
    billing_push.register_periodic_jobs()
    order_sweep.register_periodic_jobs(app)
    payment_sweep.register_periodic_jobs(app)
    order_ingest.register()  # what devices report about orders, applied by the gateway's ingest
    command_bus.init_app(app)

    from chargehub import api, health  # noqa: PLC0415
    from chargehub.assets import h5  # noqa: PLC0415
    from chargehub.payments import notify as payment_notify  # noqa: PLC0415
    from chargehub.qrcodes import pile_links  # noqa: PLC0415
    from chargehub.tenancy import auth, scope  # noqa: PLC0415

    auth.init_app(app)
    scope.init_app(app)
    api.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(h5.bp)  # public pages drivers open from QR codes (私桩申请)
    app.register_blueprint(pile_links.bp)  # QR codes piles draw from the pushed prefix
    app.register_blueprint(payment_notify.bp)  # payment vendors' notifications (their signatures, no sign-in)
    with app.app_context():
        for blueprints in plugin_host.available_hooks().register_blueprints():
            for blueprint in blueprints or ():
                app.register_blueprint(blueprint)
        for commands in plugin_host.available_hooks().register_commands():
            for command in commands or ():
                _add_plugin_command(app, command)
    return app


def _add_plugin_command(app: Flask, command) -> None:
    """Add a plugin's command; a ``click.Group`` named in :data:`SHARED_GROUPS` is merged into that group
    (``chargehub simulate ykc``, ``chargehub simulate bike``...), whose subcommand names must differ."""
    import click  # noqa: PLC0415

    if isinstance(command, click.Group) and command.name in SHARED_GROUPS:
        group = app.cli.commands.get(command.name)
        if group is None:
            group = click.Group(command.name, help=SHARED_GROUPS[command.name])
            app.cli.add_command(group)
        for sub in command.commands.values():
            if sub.name in group.commands:
                raise PluginLoadError(f"a plugin command is named {command.name} {sub.name!r}, which is taken")
            group.add_command(sub)
        return
    if command.name in RESERVED_COMMANDS or command.name in app.cli.commands:
        raise PluginLoadError(f"a plugin command is named {command.name!r}, which is taken")
    app.cli.add_command(command)
