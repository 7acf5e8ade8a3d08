"""The plugin host: loads plugins, checks their META, filters hooks per tenant, dispatches listeners.

One :class:`PluginHost` object lives in :mod:`chargehub.extensions`; its state (a pluggy
``PluginManager`` and what it learned about each plugin) is kept per Flask app, so tests can build
apps with different plugin sets in one process.

Loading (at ``create_app``):

1. entry points of the group ``chargehub.plugins`` unless ``CHARGEHUB_PLUGIN_AUTOLOAD=0``; the
   entry-point name must equal ``META.name``;
2. modules named in ``CHARGEHUB_PLUGINS`` (comma-separated import paths);
3. plugin objects passed in ``create_app(config={"PLUGINS_EXTRA": [...]})`` (tests).

Each plugin must define ``META`` (:class:`~chargehub.plugins.meta.PluginMeta`); pluggy's
``check_pending()`` then refuses hook implementations that match no hookspec, and every registration
hook is called once for all available plugins to refuse duplicate identifiers before serving.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Iterable

import pluggy
from flask import Flask, current_app

from chargehub import PROJECT
from chargehub.config import settings as app_settings
from chargehub.errors import PluginLoadError, PluginNotFound, PluginUnavailable
from chargehub.plugins import hookspecs
from chargehub.plugins.meta import PluginLevel, PluginMeta
from chargehub.plugins.registry import ProviderRegistry, build_registry, check_unique_identifiers

log = logging.getLogger("chargehub.plugins")

ENTRY_POINT_GROUP = "chargehub.plugins"
EXTENSION_KEY = "chargehub.plugin_host"

#: Attempts of a listener job: the first call plus this many retries, spaced by the intervals
#: (seconds; ``app.config["LISTENER_RETRY_INTERVALS"]`` overrides them).
LISTENER_RETRIES = 5
LISTENER_RETRY_INTERVALS = (10, 60, 300, 900, 3600)


@dataclass(frozen=True)
class PluginInfo:
    """An installed plugin as the host sees it."""

    meta: PluginMeta
    available: bool
    compatibility_errors: tuple[str, ...]
    source: str  # "entrypoint:<dist>" | "module:<path>" | "object"


class _HostState:
    """Per-app plugin state: the pluggy manager and what each plugin said about itself."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}


class TenantHooks:
    """Hook callers limited to the plugins switched on for one tenant (see :meth:`PluginHost.hooks_for`).

    ``hooks.register_payment_providers()`` calls the hook on those plugins only. Core uses this for
    decision calls; listener hooks go through :meth:`PluginHost.notify` instead.
    """

    def __init__(self, pm: pluggy.PluginManager, excluded: list[object]):
        self._pm = pm
        self._excluded = excluded

    def __getattr__(self, name: str):
        if not hasattr(self._pm.hook, name):
            raise AttributeError(f"no hook named {name!r}")
        caller = self._pm.subset_hook_caller(name, remove_plugins=self._excluded)
        setattr(self, name, caller)
        return caller


class PluginHost:
    """Loads and serves plugins for the app; see the module docstring."""

    # ----------------------------------------------------------------------------------- loading

    def init_app(self, app: Flask) -> None:
        """Load every plugin for ``app`` and check them; raise :class:`PluginLoadError` on a bad one."""
        state = _HostState()
        app.extensions[EXTENSION_KEY] = state
        conf = app_settings(app)
        if conf["PLUGIN_AUTOLOAD"]:
            for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                module = ep.load()
                meta = self._meta_of(module, ep.name)
                if meta.name != ep.name:
                    raise PluginLoadError(
                        f"entry point {ep.name!r} loads plugin whose META.name is {meta.name!r}; they must match")
                dist = ep.dist.name if ep.dist is not None else "?"
                self._register(state, module, f"entrypoint:{dist}")
        for path in [p.strip() for p in conf["PLUGINS"].split(",") if p.strip()]:
            self._register(state, importlib.import_module(path), f"module:{path}")
        for obj in app.config.get("PLUGINS_EXTRA", ()):
            self._register(state, obj, "object")
        state.pm.check_pending()
        self._check_registrations(state)

    @staticmethod
    def _meta_of(obj: object, label: str) -> PluginMeta:
        meta = getattr(obj, "META", None)
        if not isinstance(meta, PluginMeta):
            raise PluginLoadError(f"plugin {label!r} has no META (a chargehub.PluginMeta) and cannot be loaded")
        meta.validate()
        return meta

    def _register(self, state: _HostState, obj: object, source: str) -> None:
        meta = self._meta_of(obj, getattr(obj, "__name__", repr(obj)))
        if meta.name in state.infos:
            raise PluginLoadError(f"two plugins are named {meta.name!r} ({state.infos[meta.name].source}, {source})")
        try:
            errors = tuple(str(e) for e in (meta.compatibility_errors() or ()))
        except Exception as exc:  # a broken check must not stop the platform; it makes the plugin unavailable
            errors = (f"compatibility check failed: {exc}",)
        state.pm.register(obj, name=meta.name)
        state.infos[meta.name] = PluginInfo(meta, not errors, errors, source)
        if errors:
            log.warning("plugin unavailable", extra={"plugin": meta.name, "errors": list(errors)})
        else:
            log.info("plugin loaded", extra={"plugin": meta.name, "version": meta.version, "source": source})

    def _check_registrations(self, state: _HostState) -> None:
        available = {n for n, i in state.infos.items() if i.available}
        for hook_name, kind in hookspecs.REGISTRATION_HOOKS.items():
            if kind is None:
                continue
            collected = []
            for impl in getattr(state.pm.hook, hook_name).get_hookimpls():
                if impl.plugin_name in available:
                    collected.append((impl.plugin_name, impl.function() or []))
            check_unique_identifiers(kind, collected)

    # ----------------------------------------------------------------------------------- queries

    def _state(self, app: Flask | None = None) -> _HostState:
        app = app or current_app
        try:
            return app.extensions[EXTENSION_KEY]
        except KeyError:  # pragma: no cover - programming error
            raise RuntimeError("plugin host not initialised for this app") from None

    @property
    def pm(self) -> pluggy.PluginManager:
        """The current app's pluggy manager (for core internals and tests)."""
        return self._state().pm

    def plugins(self) -> list[PluginInfo]:
        """Every installed plugin, sorted by name."""
        return [self._state().infos[n] for n in sorted(self._state().infos)]

    def info(self, name: str) -> PluginInfo:
        """The installed plugin ``name``; raise :class:`PluginNotFound` otherwise."""
        try:
            return self._state().infos[name]
        except KeyError:
            raise PluginNotFound(f"no plugin named {name!r} is installed") from None

    def _available_metas(self) -> list[PluginMeta]:
        return [i.meta for i in self._state().infos.values() if i.available]

    def enabled_plugins(self, tenant_id: int | None) -> set[str]:
        """Plugins on for ``tenant_id`` (``None``: the platform-level ones only). Reads the database."""
        from chargehub.plugins import store  # noqa: PLC0415 - store imports the ORM models

        return store.enabled_names(self._available_metas(), tenant_id)

    def is_enabled(self, name: str, tenant_id: int | None) -> bool:
        """Whether plugin ``name`` is installed, available and on for ``tenant_id``."""
        return name in self._state().infos and name in self.enabled_plugins(tenant_id)

    def hooks_for(self, tenant_id: int | None) -> TenantHooks:
        """Hook callers that reach only the plugins on for ``tenant_id`` (``None``: platform plugins)."""
        state = self._state()
        enabled = self.enabled_plugins(tenant_id)
        excluded = [state.pm.get_plugin(n) for n in state.infos if n not in enabled]
        return TenantHooks(state.pm, [p for p in excluded if p is not None])

    def available_hooks(self) -> TenantHooks:
        """Hook callers over every *available* plugin, whatever is switched on (start-up hooks)."""
        state = self._state()
        excluded = [state.pm.get_plugin(n) for n, i in state.infos.items() if not i.available]
        return TenantHooks(state.pm, excluded)

    # ----------------------------------------------------------------------------------- providers

    def providers(self, kind: str, tenant_id: int) -> ProviderRegistry:
        """Providers of ``kind`` for a tenant: every plugin on for it, each with the tenant's settings."""
        return self._registry(kind, tenant_id, self.enabled_plugins(tenant_id))

    def platform_providers(self, kind: str) -> ProviderRegistry:
        """Providers of ``kind`` from platform-level plugins that are on (e.g. device protocols)."""
        return self._registry(kind, None, self.enabled_plugins(None))

    def _registry(self, kind: str, tenant_id: int | None, enabled: set[str]) -> ProviderRegistry:
        from chargehub.plugins import store  # noqa: PLC0415

        hook_name = next((h for h, k in hookspecs.REGISTRATION_HOOKS.items() if k == kind), None)
        if hook_name is None:
            raise ValueError(f"unknown provider kind {kind!r}")
        state = self._state()
        collected = []
        for impl in getattr(state.pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name not in enabled:
                continue
            meta = state.infos[impl.plugin_name].meta
            collected.append((meta, impl.function() or [], lambda m=meta: store.load_settings(m, tenant_id)))
        return build_registry(kind, tenant_id, collected)

    # ----------------------------------------------------------------------------------- listeners

    def notify(self, hook_name: str, tenant_id: int | None, **kwargs: Any) -> list[str]:
        """Dispatch a listener hook: one job per plugin that implements it and is on for the tenant.

        Returns the job ids. Never raises because of a plugin: failures happen in the jobs, are
        retried (:data:`LISTENER_RETRIES`) and recorded in ``plugin_listener_failure``.
        """
        if hook_name not in hookspecs.LISTENER_HOOKS:
            raise ValueError(f"{hook_name!r} is not a listener hook")
        from chargehub.extensions import jobs  # noqa: PLC0415 - extensions imports this module

        impls = getattr(self._state().pm.hook, hook_name).get_hookimpls()
        if not impls:  # nobody listens: no query (the gateway notifies for every gun state change)
            return []
        enabled = self.enabled_plugins(tenant_id)
        intervals = tuple(current_app.config.get("LISTENER_RETRY_INTERVALS", LISTENER_RETRY_INTERVALS))
        job_ids = []
        for impl in impls:
            if impl.plugin_name not in enabled:
                continue
            job_ids.append(jobs.enqueue(
                "chargehub.plugins.jobs:run_listener", impl.plugin_name, hook_name, tenant_id, kwargs,
                queue="listeners", retries=LISTENER_RETRIES, retry_intervals=intervals,
                description=f"{hook_name} -> {impl.plugin_name} (tenant {tenant_id})"))
        return job_ids

    def listener_impl(self, plugin: str, hook_name: str):
        """The hook implementation of ``plugin`` for ``hook_name`` (used by the listener job)."""
        for impl in getattr(self._state().pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name == plugin:
                return impl
        raise PluginUnavailable(f"plugin {plugin!r} does not implement {hook_name!r} (any more)")

    # ----------------------------------------------------------------------------------- settings

    def configure(self, name: str, tenant_id: int | None, *, enabled: bool | None = None,
                  settings: dict | None = None) -> dict:
        """Switch on/off and/or configure ``name`` for a tenant (``None``: platform); return its description.

        :raises PluginNotFound: no such plugin.
        :raises PluginUnavailable: switching on a plugin that has compatibility errors.
        :raises SettingsValidationError: the payload fails the plugin's schema (nothing stored).
        """
        from chargehub.plugins import store  # noqa: PLC0415

        info = self.info(name)
        if enabled and not info.available:
            raise PluginUnavailable(f"plugin {name!r} cannot run here: " + "; ".join(info.compatibility_errors))
        store.save(info.meta, tenant_id, enabled=enabled, settings=settings)
        return self.describe(name, tenant_id)

    def describe(self, name: str, tenant_id: int | None) -> dict:
        """A plugin's metadata with its state for a tenant (``None``: platform); never any secret value."""
        from chargehub.plugins import settings as plugin_settings  # noqa: PLC0415
        from chargehub.plugins import store  # noqa: PLC0415

        info = self.info(name)
        return {
            **describe_meta(info),
            "settings_form": plugin_settings.describe_schema(info.meta),
            **store.describe(info.meta, tenant_id),
        }

    def tenant_visible(self, tenant_id: int) -> Iterable[PluginInfo]:
        """Plugins a service provider may see on its plugin page (TENANT-level ones)."""
        return [i for i in self.plugins() if i.meta.level is PluginLevel.TENANT]


def describe_meta(info: PluginInfo) -> dict:
    """Public metadata of a plugin."""
    meta = info.meta
    return {
        "name": meta.name,
        "verbose_name": meta.verbose_name,
        "version": meta.version,
        "category": meta.category,
        "level": meta.level.value,
        "description": meta.description,
        "available": info.available,
        "compatibility_errors": list(info.compatibility_errors),
    }
