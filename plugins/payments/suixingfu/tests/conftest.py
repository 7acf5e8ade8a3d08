"""Fixtures: a fake Tianque, a notification receiver over real HTTP, a provider built from merged settings."""
from __future__ import annotations

import pytest

from chargehub_suixingfu.testing import SuixingfuSandbox
from suixingfu_helpers import Receiver, make_provider


@pytest.fixture
def sandbox():
    with SuixingfuSandbox() as sb:
        yield sb


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.server.close()


@pytest.fixture
def provider(sandbox, receiver):
    prov = make_provider(sandbox)
    receiver.provider = prov
    return prov
