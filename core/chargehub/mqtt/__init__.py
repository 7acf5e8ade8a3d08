"""MQTT plumbing shared by the gateway, the health check and device accounts.

* :mod:`.broker`: the broker's address (``CHARGEHUB_MQTT_URL``) and paho clients configured for it;
* :mod:`.embedded`: the in-process broker the embedded platform starts when no broker is configured;
* :mod:`.accounts`: per-device broker credentials (Mosquitto dynamic security).
"""
