"""Test support published to every test suite (core's and each plugin's) through the ``pytest11`` entry point.

Fixtures (see :mod:`chargehub.testing.fixtures`): ``chargehub_database_url``, ``redis_url``,
``redis_namespace``, ``make_app``, ``app``, ``client``, ``admin_user``, ``admin_token``,
``make_provider``, ``auth_headers``.

Which database the suite runs on is chosen by ``CHARGEHUB_TEST_DATABASE``: a PostgreSQL server URL
(``postgresql://postgres@127.0.0.1:5432/postgres``; a fresh database is created for the session and
dropped after it) or ``sqlite`` (the default: a temporary file).
"""
