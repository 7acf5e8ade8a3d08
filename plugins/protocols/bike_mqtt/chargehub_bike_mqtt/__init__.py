"""ChargeHub protocol plugin for e-bike chargers over MQTT (``docs/protocols/bike-mqtt.md``).

:mod:`chargehub_bike_mqtt.codec` turns payloads into typed messages and back (pure, no state);
:mod:`chargehub_bike_mqtt.session` turns messages into ChargeHub device events and commands into
payloads; :mod:`chargehub_bike_mqtt.protocol` is the
:class:`~chargehub.contracts.devices.DeviceProtocol` the plugin registers.
"""
