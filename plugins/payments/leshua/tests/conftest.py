"""Fixtures: a Leshua sandbox, a notification receiver and a provider for the sandbox's merchant."""
from __future__ import annotations

import pytest
from leshua_helpers import Receiver, build_provider

from chargehub_leshua.testing import LeshuaSandbox


@pytest.fixture
def sandbox():
    box = LeshuaSandbox()
    yield box
    box.close()


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.server.close()


@pytest.fixture
def provider(sandbox, receiver):
    """A provider for the sandbox's merchant; the receiver parses with it."""
    prov = build_provider(sandbox.tenant_settings(), sandbox.station_settings())
    receiver.provider = prov
    return prov


