"""Per-device broker accounts through Mosquitto's dynamic security plugin.

Each device gets its own client (username = its id, a password of its own) and a role of its own
whose ACLs are the device's topics (``DeviceProtocol.device_acl``): the broker itself refuses a device
that publishes or subscribes anywhere else. Commands go to ``$CONTROL/dynamic-security/v1`` as JSON
and the broker answers on ``…/response`` (see mosquitto's ``dynamic-security`` documentation); the
account in ``CHARGEHUB_MQTT_URL`` must hold the dynsec admin role.

Chosen over a password/ACL file because the broker may run on another machine and a file needs the
broker to be signalled to reload; dynamic security changes take effect at once, over MQTT.
"""
from __future__ import annotations

import json
import threading
import uuid
from typing import Iterable

import paho.mqtt.client as mqtt

from chargehub.mqtt.broker import BrokerAddress, client_id, new_client

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = CONTROL_TOPIC + "/response"
#: dynsec ACL types per direction of :meth:`DeviceProtocol.device_acl`.
_ACL_TYPES = {"publish": "publishClientSend", "subscribe": "subscribeLiteral"}


class BrokerAccountError(RuntimeError):
    """The broker refused an account command, or did not answer in time."""


def role_name(username: str) -> str:
    """The role that holds one device's ACLs."""
    return f"chargehub-device-{username}"


class DynsecAccounts:
    """Create, update, disable and delete device accounts on a Mosquitto broker.

    :param address: the broker, with an account holding the dynsec admin role.
    :param timeout: seconds to wait for the broker's answer.
    """

    def __init__(self, address: BrokerAddress, timeout: float = 10.0) -> None:
        self.address = address
        self.timeout = timeout

    def upsert(self, username: str, password: str, acl: Iterable[tuple[str, str]], *, enabled: bool = True) -> None:
        """Make the account exist with exactly this password, these ACLs and this enabled state."""
        role = role_name(username)
        acls = [{"acltype": _ACL_TYPES[action], "topic": topic, "priority": 0, "allow": True}
                for topic, action in acl]
        if self.run([{"command": "createRole", "rolename": role, "acls": acls}], tolerate=("already exists",)):
            self.run([{"command": "addRoleACL", "rolename": role, **acl} for acl in acls], tolerate=("already exists",))
        existed = self.run([{"command": "createClient", "username": username, "password": password,
                             "roles": [{"rolename": role}]}], tolerate=("already exists",))
        if existed:  # set what may differ
            self.run([{"command": "setClientPassword", "username": username, "password": password},
                      {"command": "modifyClient", "username": username, "roles": [{"rolename": role}]}])
        self.set_enabled(username, enabled)

    def set_enabled(self, username: str, enabled: bool) -> None:
        """Enable or disable the account (a disabled client is disconnected and cannot connect)."""
        self.run([{"command": "enableClient" if enabled else "disableClient", "username": username}])

    def delete(self, username: str) -> None:
        """Remove the account and its role; a missing one is not an error."""
        self.run([{"command": "deleteClient", "username": username},
                  {"command": "deleteRole", "rolename": role_name(username)}], tolerate=("not found",))

    def run(self, commands: list[dict], *, tolerate: tuple[str, ...] = ()) -> list[str]:
        """Send ``commands`` in one request; return the tolerated errors, raise on any other.

        :raises BrokerAccountError: an error not matching ``tolerate``, or no answer in time.
        """
        tags = [uuid.uuid4().hex for _ in commands]
        answers = self._request([{**command, "correlationData": tag} for command, tag in zip(commands, tags)], tags)
        tolerated = []
        for command, tag in zip(commands, tags):
            error = answers[tag].get("error")
            if not error:
                continue
            if any(text in error.lower() for text in tolerate):
                tolerated.append(error)
                continue
            raise BrokerAccountError(f"broker refused {command['command']}: {error}")
        return tolerated

    def _request(self, commands: list[dict], tags: list[str]) -> dict[str, dict]:
        answers: dict[str, dict] = {}
        done = threading.Event()
        subscribed = threading.Event()
        failure: list[str] = []

        def on_connect(client, userdata, flags, reason_code, properties):  # noqa: ARG001
            if reason_code.is_failure:
                failure.append(f"broker refused the connection: {reason_code}")
                done.set()
                return
            client.subscribe(RESPONSE_TOPIC, qos=1)

        def on_subscribe(client, userdata, mid, reason_codes, properties):  # noqa: ARG001
            if any(code.is_failure for code in reason_codes):
                failure.append("not allowed to read the dynamic security responses (admin role missing?)")
                done.set()
                return
            subscribed.set()
            client.publish(CONTROL_TOPIC, json.dumps({"commands": commands}), qos=1)

        def on_message(client, userdata, message):  # noqa: ARG001
            try:
                responses = json.loads(message.payload).get("responses", [])
            except ValueError:
                return
            for response in responses:
                tag = response.get("correlationData")
                if tag in tags:
                    answers[tag] = response
            if all(tag in answers for tag in tags):
                done.set()

        client = new_client(self.address, client_id("accounts"), protocol=mqtt.MQTTv5)
        client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
        try:
            client.connect(self.address.host, self.address.port, keepalive=30)
        except OSError as exc:
            raise BrokerAccountError(f"cannot reach the broker at {self.address.url()}: {exc}") from exc
        client.loop_start()
        try:
            if not done.wait(self.timeout):
                raise BrokerAccountError("the broker did not answer the dynamic security request in time"
                                         if subscribed.is_set() else "could not subscribe to the dynsec responses")
        finally:
            client.disconnect()
            client.loop_stop()
        if failure:
            raise BrokerAccountError(failure[0])
        return answers
