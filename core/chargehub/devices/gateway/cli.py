"""``chargehub gateway``: run a gateway node in the foreground until SIGTERM/SIGINT."""
from __future__ import annotations

import gc
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from chargehub.devices.gateway.runner import build_gateway, run_gateway
from chargehub.schema_check import require_current_schema


@click.command("gateway")
@click.option("--listen", default=None, metavar="SPEC",
              help="Listen addresses, e.g. 'ykc=0.0.0.0:8767,lineproto=127.0.0.1:0' "
                   "(default: CHARGEHUB_GATEWAY_LISTEN, else 0.0.0.0:<default port> per protocol).")
@click.option("--node-id", default=None,
              help="This node's id on the command bus (default: CHARGEHUB_GATEWAY_NODE or <hostname>-<pid>).")
@with_appcontext
def gateway_command(listen: str | None, node_id: str | None) -> None:
    """Hold device connections for every enabled device protocol and serve the command bus."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    require_current_schema()  # the enabled protocols are read from the database
    try:
        gateway = build_gateway(app, listen=listen, node_id=node_id)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--listen") from exc
    if not gateway.protocols:
        click.echo("warning: no device protocol is enabled; the gateway only serves the bus", err=True)
    # The app, its plugins and the protocols live as long as the process: take them out of the cyclic
    # garbage collector's scans, whose full passes otherwise pause every connection (decision 0008).
    gc.collect()
    gc.freeze()
    # Frames make many short-lived objects; collect the young generation less often so that events
    # waiting for the writer die young instead of being promoted into full collections.
    gc.set_threshold(50_000, 20, 100)
    # The event writer and login threads run Python too; hand the GIL back to the event loop every
    # millisecond instead of every 5 so their batches do not delay replies (decision 0008).
    sys.setswitchinterval(0.001)
    run_gateway(gateway)
