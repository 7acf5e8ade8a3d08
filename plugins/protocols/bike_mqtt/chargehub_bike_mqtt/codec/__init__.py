"""The ``bike_mqtt`` wire format (``docs/protocols/bike-mqtt.md``): pure functions, no state.

``decode(payload) -> Message`` validates a payload completely and raises :class:`MessageError` naming
the field at fault; ``encode(type, id, dev, ts, **body) -> bytes`` and the ``encode_<type>`` builders
of :mod:`chargehub_bike_mqtt.codec.build` produce payloads for both directions.
"""
from chargehub_bike_mqtt.codec.build import *  # noqa: F401,F403 - the builders are part of the codec's API
from chargehub_bike_mqtt.codec.build import __all__ as _BUILDERS
from chargehub_bike_mqtt.codec.envelope import (
    ID_PATTERN, MAX_PAYLOAD, Message, decode, decode_record_envelope, encode, is_message_id, new_message_id,
)
from chargehub_bike_mqtt.codec.fields import MessageError, dev_problem

__all__ = ["Message", "MessageError", "decode", "decode_record_envelope", "encode", "new_message_id", "is_message_id", "dev_problem",
           "ID_PATTERN", "MAX_PAYLOAD", *_BUILDERS]
