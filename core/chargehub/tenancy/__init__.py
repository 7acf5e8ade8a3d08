"""Tenancy (系统管理): the platform, service providers (the tenants), users and sign-in."""
