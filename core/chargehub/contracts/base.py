"""The base class of every provider that a ``register_*`` hook returns.

A plugin returns *classes*; core instantiates one provider per tenant (or once for the platform) with
that tenant's validated settings (see :class:`chargehub.plugins.registry.ProviderRegistry`). Providers
are keyed by :attr:`Provider.identifier`, which must be unique among providers of the same kind across
all installed plugins: a duplicate is a start-up error, never a silent override.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, ClassVar, Mapping


class Provider:
    """Base of billing modes, payment providers, device protocols, invoicing backends, camera drivers.

    Class attributes every subclass sets:

    ``identifier``   stable machine name, unique per kind (``"wechatpay"``, ``"ykc"``); stored in rows
    ``verbose_name`` what operators read in the admin (Chinese first, e.g. ``"微信支付"``)

    Set by core, read by the provider:

    ``settings``     the owning plugin's settings for this tenant (platform settings for PLATFORM
                     plugins), already validated by the plugin's schema, secrets decrypted; read-only
    ``tenant_id``    the service provider this instance serves, or ``None`` for platform-level use
    ``plugin_name``  the id of the plugin that registered the class
    """

    #: Which registry the class belongs to; set by each kind's base class.
    kind: ClassVar[str] = ""
    identifier: ClassVar[str] = ""
    verbose_name: ClassVar[str] = ""

    def __init__(self, settings: Mapping[str, Any] | None = None, *, tenant_id: int | None = None,
                 plugin_name: str = "") -> None:
        self.settings: Mapping[str, Any] = MappingProxyType(dict(settings or {}))
        self.tenant_id = tenant_id
        self.plugin_name = plugin_name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.kind}:{self.identifier} tenant={self.tenant_id}>"
