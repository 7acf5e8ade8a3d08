"""Pytest fixtures for ChargeHub and its plugins (loaded through the ``pytest11`` entry point).

Environment:

``CHARGEHUB_TEST_DATABASE``   ``sqlite`` (default) or a PostgreSQL server URL
``CHARGEHUB_TEST_REDIS_URL``  default ``redis://127.0.0.1:6379/0``
``CHARGEHUB_TEST_MQTT_URL``   default ``mqtt://127.0.0.1:1883``

Plugin autoload is off in tests: a test registers the plugins it needs with
``make_app(plugins=[module_or_object, ...])``.
"""
from __future__ import annotations

import os
import uuid
from typing import Any, Callable, Iterator

import pytest

from chargehub.testing.database import clear_tables, server_description, temporary_database
from chargehub.testing.helpers import delete_namespace

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
DEFAULT_MQTT = "mqtt://127.0.0.1:1883"
ADMIN_PHONE = "13800000000"
ADMIN_PASSWORD = "admin-pass-123"
PROVIDER_PASSWORD = "provider-pass-1"


def _database_choice() -> str:
    return os.environ.get("CHARGEHUB_TEST_DATABASE", "sqlite")


def pytest_report_header(config) -> list[str]:
    """Say which real services this run talks to."""
    lines = []
    choice = _database_choice()
    if choice == "sqlite":
        lines.append("chargehub database: SQLite (embedded default)")
    else:
        try:
            lines.append(f"chargehub database: {server_description(choice)} at {choice.split('@')[-1]}")
        except Exception as exc:  # the header must not hide the real failure that follows
            lines.append(f"chargehub database: {choice} UNREACHABLE ({exc})")
    try:
        import redis  # noqa: PLC0415

        url = os.environ.get("CHARGEHUB_TEST_REDIS_URL", DEFAULT_REDIS)
        version = redis.Redis.from_url(url, socket_connect_timeout=2).info("server")["redis_version"]
        lines.append(f"chargehub redis: Redis {version} at {url}")
    except Exception as exc:
        lines.append(f"chargehub redis: UNREACHABLE ({exc})")
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Repeat the services line at the end (``-q`` hides the header), so every run says what it used."""
    terminalreporter.section("chargehub services")
    for line in pytest_report_header(config):
        terminalreporter.write_line(line)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "smoke: runs in the SQLite smoke suite too")


@pytest.fixture(scope="session")
def chargehub_database_url(tmp_path_factory) -> Iterator[str]:
    """A fresh database for the session, migrated to the current schema."""
    with temporary_database(_database_choice(), tmp_path_factory.mktemp("db")) as url:
        from flask_migrate import upgrade  # noqa: PLC0415

        from chargehub.app import create_app  # noqa: PLC0415
        from chargehub.extensions import MIGRATIONS_DIR  # noqa: PLC0415

        app = create_app({"DATABASE_URL": url, "PLUGIN_AUTOLOAD": False, "PLUGINS": "", "REDIS_URL": None,
                          "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")), "LOG_LEVEL": "WARNING"})
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            from chargehub.extensions import db  # noqa: PLC0415

            db.engine.dispose()
        yield url


@pytest.fixture
def redis_url() -> str:
    """The Redis server tests use (real Redis)."""
    return os.environ.get("CHARGEHUB_TEST_REDIS_URL", DEFAULT_REDIS)


@pytest.fixture
def mqtt_url() -> str:
    """The MQTT broker tests use (real Mosquitto)."""
    return os.environ.get("CHARGEHUB_TEST_MQTT_URL", DEFAULT_MQTT)


@pytest.fixture
def redis_namespace(redis_url) -> Iterator[str]:
    """A Redis key prefix of this test's own; its keys (and its rq jobs) are deleted afterwards."""
    namespace = f"chtest-{uuid.uuid4().hex[:10]}"
    yield namespace
    delete_namespace(redis_url, namespace)


@pytest.fixture(scope="session")
def _instance_path(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("instance"))


@pytest.fixture
def make_app(chargehub_database_url, _instance_path, redis_url) -> Iterator[Callable[..., Any]]:
    """Build apps on the test database; tables are emptied after the test.

    ``make_app(plugins=[...], redis=False, **settings)``: ``plugins`` are registered objects or
    modules; ``redis=True`` turns on the Redis backends with a namespace of the test's own; other
    keyword arguments override settings by name (``JOBS_EAGER=False``...).
    """
    apps = []
    namespaces = []

    def factory(plugins=(), redis: bool = False, **settings: Any):
        from chargehub.app import create_app  # noqa: PLC0415

        namespace = f"chtest-{uuid.uuid4().hex[:10]}"
        namespaces.append(namespace)
        config = {
            "TESTING": True,
            "DATABASE_URL": chargehub_database_url,
            "INSTANCE_PATH": _instance_path,
            "PLUGIN_AUTOLOAD": False,
            "PLUGINS": "",
            "PLUGINS_EXTRA": list(plugins),
            "REDIS_URL": redis_url if redis else None,
            "REDIS_NAMESPACE": namespace,
            "MQTT_URL": None,
            "JOBS_EAGER": True,
            "LOG_FORMAT": "text",
            **settings,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield factory

    from chargehub.extensions import db  # noqa: PLC0415

    for app in apps:
        with app.app_context():
            db.session.remove()
            clear_tables(db.engine, db.metadata)
            db.engine.dispose()
    for namespace in namespaces:
        delete_namespace(redis_url, namespace)


@pytest.fixture
def app(make_app):
    """An app on the test database with no plugins, eager in-process jobs, in-process command bus."""
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    """A test client of :func:`app`."""
    return app.test_client()


@pytest.fixture
def admin_user(app):
    """A platform (system) administrator."""
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.models import User, UserType  # noqa: PLC0415
    from chargehub.tenancy.passwords import hash_password  # noqa: PLC0415

    user = User(phone=ADMIN_PHONE, name="平台管理员", password_hash=hash_password(ADMIN_PASSWORD),
                user_type=UserType.SYSTEM, is_owner=True)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def auth_headers(make_app) -> Callable[[Any], dict]:
    """``auth_headers(user)`` -> headers carrying a fresh API token of ``user`` (needs an app context)."""
    from chargehub.tenancy.auth import issue_token  # noqa: PLC0415

    return lambda user: {"Authorization": f"Bearer {issue_token(user, 'test')}"}


@pytest.fixture
def admin_token(admin_user, auth_headers) -> dict:
    """Authorization headers of :func:`admin_user`."""
    return auth_headers(admin_user)


@pytest.fixture
def make_provider(make_app) -> Callable[..., Any]:
    """``make_provider(name, phone)`` -> (approved ServiceProvider, its login account), in the current app.

    The login account is the provider's owner account (every provider permission), as approval
    creates it; tests of narrower users create roles.
    """
    from chargehub.extensions import db  # noqa: PLC0415
    from chargehub.tenancy.models import AuditState, ServiceProvider, User, UserType  # noqa: PLC0415
    from chargehub.tenancy.passwords import hash_password  # noqa: PLC0415

    def factory(name: str = "服务商A", phone: str | None = None):
        phone = phone or f"139{uuid.uuid4().int % 10**8:08d}"
        provider = ServiceProvider(name=name, phone=phone, contact="联系人", audit_state=AuditState.APPROVED)
        db.session.add(provider)
        db.session.flush()
        user = User(phone=phone, name=name, password_hash=hash_password(PROVIDER_PASSWORD),
                    user_type=UserType.PROVIDER, provider_id=provider.id, is_owner=True)
        db.session.add(user)
        db.session.commit()
        return provider, user

    return factory
