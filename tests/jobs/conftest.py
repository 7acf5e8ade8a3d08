"""Fixtures of the job tests: a Redis namespace of the test's own, and no app bound to the rq runner."""
from __future__ import annotations

import uuid

import pytest

from chargehub.jobs import runner
from chargehub.testing.helpers import delete_namespace

from .helpers import REDIS_URL


@pytest.fixture()
def namespace():
    """A unique Redis namespace; every key mentioning it (and its rq jobs) is deleted afterwards."""
    ns = f"chjobstest-{uuid.uuid4().hex[:10]}"
    runner.bind_app(None)
    yield ns
    runner.bind_app(None)
    delete_namespace(REDIS_URL, ns)
