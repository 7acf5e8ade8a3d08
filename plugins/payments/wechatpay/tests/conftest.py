"""Fixtures: one sandbox per module (keys take a moment), faults reset per test, a real HTTP receiver."""
from __future__ import annotations

import pytest

from chargehub_wechatpay.testing import DEFAULT_FAULTS, WechatPaySandbox
from wechatpay_helpers import Receiver, build_provider


@pytest.fixture(scope="module")
def sandbox():
    with WechatPaySandbox() as box:
        yield box


@pytest.fixture(autouse=True)
def _reset_faults(request):
    if "sandbox" in request.fixturenames:
        box = request.getfixturevalue("sandbox")
        box.faults.clear()
        box.faults.update(DEFAULT_FAULTS)
    yield


@pytest.fixture(scope="module")
def provider(sandbox):
    return build_provider(sandbox)


@pytest.fixture(scope="module")
def receiver(provider):
    box = Receiver(provider)
    yield box
    box.server.close()


@pytest.fixture(autouse=True)
def _clear_receiver(request):
    if "receiver" in request.fixturenames:
        request.getfixturevalue("receiver").clear()
    yield
