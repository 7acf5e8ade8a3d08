"""Devices: the command bus (:mod:`.bus`) and the gateway holding device connections (:mod:`.gateway`).

Protocol plugins implement :class:`chargehub.contracts.devices.DeviceProtocol`; the gateway turns their
sessions' output into device events and routes :class:`~chargehub.contracts.devices.DeviceCommand`
values from the bus to the connection of the device.
"""
