"""The plugin system: hook specifications, the plugin host, plugin metadata and per-tenant settings."""
