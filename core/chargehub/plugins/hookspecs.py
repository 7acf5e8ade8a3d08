"""Every hook ChargeHub defines. A plugin implements any of them with ``@chargehub.hookimpl``.

Three kinds of hook:

**Registration hooks** (``register_*``) return *classes* (or blueprints / commands). Core collects them
from every available plugin, instantiates providers per tenant with that tenant's validated settings,
keys them by ``identifier``, sorts them by identifier (never by pluggy's call order) and refuses
duplicates at start-up.

**Listener hooks** (``order_started``, ``device_status_changed``...) tell plugins that something
happened. Core never calls them inline: each call becomes one job per implementing plugin (queue
``listeners``) with retries, so a slow or failing vendor never breaks charging or checkout, and every
failed attempt is stored (table ``plugin_listener_failure``) and shown to operators. Listener return
values are ignored. Only plugins switched on for the event's tenant are called.

**Decision hooks** (``send_sms``) are called inline by core when it needs a plugin to do something now;
they are ``firstresult`` (the first plugin that answers with a value other than ``None`` wins) and core
has a documented default for when no plugin answers.

Every hook is documented in ``docs/plugin_hooks.md``; a meta-test keeps the two in step.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from chargehub import hookspec

if TYPE_CHECKING:  # pragma: no cover - typing only
    import click
    from flask import Blueprint

    from chargehub.contracts.billing import BillingMode
    from chargehub.contracts.cameras import CameraDriver
    from chargehub.contracts.devices import DeviceProtocol
    from chargehub.contracts.events import DeviceStatusEvent, OrderEvent, PlateEvent, RefundEvent
    from chargehub.contracts.invoicing import InvoicingBackend
    from chargehub.contracts.payments import PaymentProvider

#: Registration hooks and the provider kind each one fills (``None``: not a provider registry).
REGISTRATION_HOOKS = {
    "register_billing_modes": "billing_modes",
    "register_payment_providers": "payment_providers",
    "register_device_protocols": "device_protocols",
    "register_invoicing_backends": "invoicing_backends",
    "register_camera_drivers": "camera_drivers",
    "register_blueprints": None,
    "register_commands": None,
}

#: Listener hooks: dispatched as one job per plugin, never inline.
LISTENER_HOOKS = (
    "order_started",
    "order_finished",
    "order_refunded",
    "device_status_changed",
    "plate_recognized",
)

#: Decision hooks: called inline (firstresult), with a core default when no plugin answers.
DECISION_HOOKS = (
    "send_sms",
)


# ---------------------------------------------------------------------------------------------------
# Registration: billing
# ---------------------------------------------------------------------------------------------------


@hookspec
def register_billing_modes() -> list[type[BillingMode]]:
    """Return the billing-mode classes this plugin provides.

    :return: subclasses of :class:`chargehub.contracts.billing.BillingMode`, each with a unique
        ``identifier``.

    Runs in: request | worker | gateway (collected on first use per tenant).
    """


# ---------------------------------------------------------------------------------------------------
# Registration: payments
# ---------------------------------------------------------------------------------------------------


@hookspec
def register_payment_providers() -> list[type[PaymentProvider]]:
    """Return the payment-provider classes this plugin provides.

    Only called for tenants that switched the plugin on. Each class is instantiated with the
    tenant's validated settings (secrets decrypted).

    :return: subclasses of :class:`chargehub.contracts.payments.PaymentProvider`.

    Runs in: request | worker.
    """


# ---------------------------------------------------------------------------------------------------
# Registration: devices
# ---------------------------------------------------------------------------------------------------


@hookspec
def register_device_protocols() -> list[type[DeviceProtocol]]:
    """Return the device-protocol classes this plugin provides (pile, e-bike charger, camera links).

    Device protocols are platform-level: the gateway hosts one listener per protocol of every
    platform-enabled plugin.

    :return: subclasses of :class:`chargehub.contracts.devices.DeviceProtocol`.

    Runs in: gateway (listeners), request | worker (command encoding checks).
    """


@hookspec
def register_camera_drivers() -> list[type[CameraDriver]]:
    """Return the parking-camera / ground-lock driver classes this plugin provides.

    :return: subclasses of :class:`chargehub.contracts.cameras.CameraDriver`.

    Runs in: gateway | request.
    """


# ---------------------------------------------------------------------------------------------------
# Registration: invoicing
# ---------------------------------------------------------------------------------------------------


@hookspec
def register_invoicing_backends() -> list[type[InvoicingBackend]]:
    """Return the e-invoice backend classes this plugin provides.

    :return: subclasses of :class:`chargehub.contracts.invoicing.InvoicingBackend`.

    Runs in: request | worker.
    """


# ---------------------------------------------------------------------------------------------------
# Registration: web and command line
# ---------------------------------------------------------------------------------------------------


@hookspec
def register_blueprints() -> list[Blueprint]:
    """Return Flask blueprints to mount on the app (admin pages, callback endpoints, H5 pages).

    Called once per app at start-up for every available plugin (blueprints are process-wide);
    views that act for a tenant must check that the plugin is switched on for it
    (``plugin_host.is_enabled(name, tenant_id)``).

    :return: a list of :class:`flask.Blueprint`.

    Runs in: request (app start-up).
    """


@hookspec
def register_commands() -> list[click.Command]:
    """Return click commands to add under ``chargehub`` (e.g. ``chargehub simulate ykc``).

    :return: a list of :class:`click.Command`; a name that collides with a core command is refused.
        A ``click.Group`` named ``simulate`` is merged with other plugins' ``simulate`` groups, so
        each protocol plugin adds its simulator as ``chargehub simulate <protocol>``.

    Runs in: the command line (app start-up).
    """


# ---------------------------------------------------------------------------------------------------
# Listeners: orders
# ---------------------------------------------------------------------------------------------------


@hookspec
def order_started(tenant_id: int, order: OrderEvent) -> None:
    """A charging order started charging (the device confirmed the start).

    :param tenant_id: the service provider that owns the order.
    :param order: the order as it is now.

    Runs in: worker (one job per plugin, retried).
    """


@hookspec
def order_finished(tenant_id: int, order: OrderEvent) -> None:
    """A charging order was settled (completed, or ended by an operator).

    :param tenant_id: the service provider that owns the order.
    :param order: the settled order with its final energy and amount.

    Runs in: worker (one job per plugin, retried).
    """


@hookspec
def order_refunded(tenant_id: int, order: OrderEvent, refund: RefundEvent) -> None:
    """A refund of an order reached a final state (succeeded or failed).

    :param tenant_id: the service provider that owns the order.
    :param order: the order.
    :param refund: the refund.

    Runs in: worker (one job per plugin, retried).
    """


# ---------------------------------------------------------------------------------------------------
# Listeners: devices
# ---------------------------------------------------------------------------------------------------


@hookspec
def device_status_changed(tenant_id: int, event: DeviceStatusEvent) -> None:
    """A device went online or offline, or changed its working state.

    :param tenant_id: the service provider that owns the device.
    :param event: what changed.

    Runs in: worker (one job per plugin, retried).
    """


@hookspec
def plate_recognized(tenant_id: int, event: PlateEvent) -> None:
    """A parking camera recognised a licence plate.

    :param tenant_id: the service provider that owns the camera.
    :param event: the recognition.

    Runs in: worker (one job per plugin, retried).
    """


# ---------------------------------------------------------------------------------------------------
# Decisions: messaging
# ---------------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def send_sms(phone: str, message: str, purpose: str) -> bool | None:
    """Send a text message to a mobile phone (a driver's sign-in code, for now).

    Core asks the PLATFORM-level plugins that are on (``plugin_host.hooks_for(None)``), so one SMS
    gateway serves every service provider. A plugin that does not handle ``purpose`` returns ``None``
    and the next one is asked. When no plugin answers, core's default sender writes the message, code
    included, at INFO to the ``chargehub.sms`` logger (the embedded default and the demo read the code
    from the log). Stops at first non-None result.

    :param phone: the mainland mobile number, 11 digits (``13800138000``), already validated.
    :param message: the complete text to send, in Chinese (``【ChargeHub】验证码 123456，5 分钟内有效…``).
    :param purpose: why it is sent: ``"login"`` (sign-in code). Vendors that need a template id per
        message kind choose it from this.
    :return: ``True`` when the gateway accepted the message, ``False`` when it refused or failed (core
        answers the driver 503 and voids the code), ``None`` to let another plugin (or the default) send.
        Exceptions count as ``False`` and are logged with the traceback.

    Runs in: request.
    """
