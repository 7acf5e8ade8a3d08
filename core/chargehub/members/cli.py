"""``chargehub drivers ...``: driver accounts from the command line (demo set-up, support)."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from chargehub.errors import ValidationFailed


@click.group("drivers")
def drivers_group() -> None:
    """Drivers (车主) and their balances."""


@drivers_group.command("topup")
@click.option("--phone", required=True, help="The driver's mobile number (the driver is created when missing).")
@click.option("--provider-id", required=True, type=int, help="The service provider the balance is held at.")
@click.option("--amount", required=True, help="Yuan, at most 2 decimals, e.g. 50.00.")
@click.option("--note", default="命令行充值", show_default=True)
@with_appcontext
def topup_command(phone: str, provider_id: int, amount: str, note: str) -> None:
    """充值: add AMOUNT to a driver's balance at a service provider."""
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.members import balance  # noqa: PLC0415
    from chargehub.members.auth import normalize_phone  # noqa: PLC0415
    from chargehub.members.models import Driver  # noqa: PLC0415
    from chargehub.schema_check import require_current_schema  # noqa: PLC0415

    require_current_schema()
    try:
        phone = normalize_phone(phone)
        driver = db.session.execute(sa.select(Driver).where(Driver.phone == phone)).scalar_one_or_none()
        created = driver is None
        if created:
            driver = Driver(phone=phone, enabled=True)
            db.session.add(driver)
            db.session.flush()
        entry = balance.top_up(driver.id, provider_id, amount, note=note)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    if created:
        click.echo(f"driver created: {phone} (id {driver.id})")
    click.echo(f"topped up {entry.amount} yuan for {phone} at provider {provider_id}: balance {entry.balance_after}")
