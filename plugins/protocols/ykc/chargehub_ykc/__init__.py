"""ChargeHub protocol plugin for YunKuaiChong (云快充) V1.5/V1.6 piles.

``chargehub_ykc.codec`` turns bytes into typed messages and back (pure, no state);
:mod:`chargehub_ykc.session` turns messages into ChargeHub device events and commands into frames;
:mod:`chargehub_ykc.protocol` is the :class:`~chargehub.contracts.devices.DeviceProtocol` the plugin registers.
"""
