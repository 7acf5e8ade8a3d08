"""Provider registries: the instantiated providers of one kind for one tenant, keyed by identifier.

Deterministic: providers are ordered by ``identifier`` (never by pluggy's LIFO call order), and two
classes claiming one identifier are refused, at start-up for all installed plugins and again on build.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Iterator, Sequence

from chargehub.contracts import Provider
from chargehub.errors import DuplicateIdentifierError, PluginLoadError, SettingsValidationError
from chargehub.plugins.meta import PluginMeta

#: The base class each registration hook's classes must derive from, by kind.
def _base_for(kind: str) -> type[Provider]:
    from chargehub.contracts.billing import BillingMode  # noqa: PLC0415
    from chargehub.contracts.cameras import CameraDriver  # noqa: PLC0415
    from chargehub.contracts.devices import DeviceProtocol  # noqa: PLC0415
    from chargehub.contracts.invoicing import InvoicingBackend  # noqa: PLC0415
    from chargehub.contracts.payments import PaymentProvider  # noqa: PLC0415

    return {
        "billing_modes": BillingMode,
        "payment_providers": PaymentProvider,
        "device_protocols": DeviceProtocol,
        "invoicing_backends": InvoicingBackend,
        "camera_drivers": CameraDriver,
    }[kind]


def check_unique_identifiers(kind: str, collected: Sequence[tuple[str, Sequence[type]]]) -> None:
    """Check classes returned by each plugin for ``kind``: right base class, identifier set and unique.

    :param collected: ``(plugin name, classes)`` pairs.
    :raises PluginLoadError: a class of the wrong kind or without identifier.
    :raises DuplicateIdentifierError: two classes share an identifier.
    """
    base = _base_for(kind)
    seen: dict[str, str] = {}
    for plugin, classes in collected:
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise PluginLoadError(f"plugin {plugin!r} returned {cls!r} for {kind}; expected a {base.__name__} subclass")
            ident = getattr(cls, "identifier", "")
            if not ident:
                raise PluginLoadError(f"plugin {plugin!r}: {cls.__name__} has no identifier")
            if ident in seen:
                raise DuplicateIdentifierError(
                    f"{kind} identifier {ident!r} is claimed by plugins {seen[ident]!r} and {plugin!r}")
            seen[ident] = plugin


class ProviderRegistry(Mapping[str, Provider]):
    """Read-only mapping identifier -> provider instance, iterated in identifier order.

    ``problems`` maps plugin name -> settings messages for plugins that are on but whose stored
    settings do not validate; their providers are left out rather than given bad settings.
    """

    def __init__(self, kind: str, tenant_id: int | None, providers: dict[str, Provider], problems: dict[str, Any]):
        self.kind = kind
        self.tenant_id = tenant_id
        self._providers = dict(sorted(providers.items()))
        self.problems = problems

    def __getitem__(self, identifier: str) -> Provider:
        return self._providers[identifier]

    def __iter__(self) -> Iterator[str]:
        return iter(self._providers)

    def __len__(self) -> int:
        return len(self._providers)


def build_registry(kind: str, tenant_id: int | None,
                   collected: Sequence[tuple[PluginMeta, Sequence[type], Callable[[], dict]]]) -> ProviderRegistry:
    """Instantiate the classes of ``collected`` (meta, classes, settings loader) into a registry."""
    check_unique_identifiers(kind, [(meta.name, classes) for meta, classes, _ in collected])
    providers: dict[str, Provider] = {}
    problems: dict[str, Any] = {}
    for meta, classes, load_settings in collected:
        if not classes:
            continue
        try:
            plugin_settings = load_settings()
        except SettingsValidationError as exc:
            problems[meta.name] = exc.messages
            continue
        for cls in classes:
            providers[cls.identifier] = cls(plugin_settings, tenant_id=tenant_id, plugin_name=meta.name)
    return ProviderRegistry(kind, tenant_id, providers, problems)
