"""A private Mosquitto for tests and benchmarks that need to restart the broker or enforce accounts.

The shared broker on 127.0.0.1:1883 serves most tests; this one runs from a temporary folder on a free
port with persistence on and, optionally, the dynamic security plugin (an admin account, anonymous
clients refused), exactly like a production broker set up per ``docs/operations.md``.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DYNSEC_PLUGIN_PATHS = ("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
                       "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
                       "/usr/lib/mosquitto_dynamic_security.so")
ADMIN_USER, ADMIN_PASSWORD = "chargehub-admin", "admin-secret"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dynsec_plugin() -> str | None:
    """Path of Mosquitto's dynamic security plugin, ``None`` when it is not installed."""
    return next((p for p in DYNSEC_PLUGIN_PATHS if os.path.exists(p)), None)


class PrivateMosquitto:
    """``mosquitto`` in a temporary folder: :meth:`start`, :meth:`stop`, :meth:`restart`.

    :param dynsec: enable dynamic security with the admin account ``ADMIN_USER``/``ADMIN_PASSWORD``.
    """

    def __init__(self, *, dynsec: bool = False, port: int | None = None) -> None:
        self.dynsec = dynsec
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="chargehub-mosquitto-"))
        self.process: subprocess.Popen | None = None
        self._configure()

    @property
    def url(self) -> str:
        """URL for the platform: the admin account when dynamic security is on."""
        user = f"{ADMIN_USER}:{ADMIN_PASSWORD}@" if self.dynsec else ""
        return f"mqtt://{user}127.0.0.1:{self.port}"

    def _configure(self) -> None:
        # Mosquitto started as root drops to the "mosquitto" user, which cannot read our private folder.
        lines = [f"user {pwd.getpwuid(os.getuid()).pw_name}", f"listener {self.port} 127.0.0.1", "persistence true", f"persistence_location {self.folder}/",
                 "autosave_interval 1", "max_queued_messages 100000",
                 f"log_dest file {self.folder}/mosquitto.log"]
        if self.dynsec:
            plugin = dynsec_plugin()
            if plugin is None:
                raise RuntimeError("mosquitto's dynamic security plugin is not installed (Debian package mosquitto)")
            config = self.folder / "dynamic-security.json"
            subprocess.run(["mosquitto_ctrl", "dynsec", "init", str(config), ADMIN_USER, ADMIN_PASSWORD],
                           check=True, capture_output=True)
            lines += ["allow_anonymous false", f"plugin {plugin}", f"plugin_opt_config_file {config}"]
        else:
            lines.append("allow_anonymous true")
        (self.folder / "mosquitto.conf").write_text("\n".join(lines) + "\n")

    def start(self, timeout: float = 10.0) -> "PrivateMosquitto":
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.process = subprocess.Popen([binary, "-c", str(self.folder / "mosquitto.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"mosquitto did not listen on {self.port}")

    def stop(self) -> None:
        """Stop the broker (SIGTERM: it saves its persistence file first)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def restart(self, down_for: float = 0.5) -> None:
        """Stop, stay down for ``down_for`` seconds, start again on the same port."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def close(self) -> None:
        """Stop and remove the folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "PrivateMosquitto":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
