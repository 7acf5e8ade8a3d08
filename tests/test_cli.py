"""The ``chargehub`` command: administrators, plugins, demo data, and ``chargehub run`` as a real process."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import sqlalchemy as sa

from chargehub.cli import cli
from chargehub.extensions import db

pytestmark = pytest.mark.smoke


def invoke(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def test_create_admin_generates_and_files_the_password(app, tmp_path):
    from chargehub.tenancy.models import User
    from chargehub.tenancy.passwords import verify_password

    pw_file = tmp_path / "pw"
    result = invoke(app, "create-admin", "--phone", "13811112222", "--generate-password", "--password-file", str(pw_file))
    assert result.exit_code == 0, result.output
    password = pw_file.read_text().strip()
    assert password in result.output and pw_file.stat().st_mode & 0o777 == 0o600
    user = db.session.execute(sa.select(User)).scalar_one()
    assert user.user_type.value == "system" and user.is_owner and verify_password(user.password_hash, password)
    stored = user.password_hash
    assert password not in stored and stored.startswith("$argon2id$")
    again = invoke(app, "create-admin", "--phone", "13811112222", "--generate-password", "--if-missing")
    assert again.exit_code == 0 and "already exists" in again.output
    dup = invoke(app, "create-admin", "--phone", "13811112222", "--password", "another-pass-1")
    assert dup.exit_code != 0 and "已存在" in dup.output


def test_create_admin_refuses_a_short_password(app):
    result = invoke(app, "create-admin", "--phone", "13811113333", "--password", "short")
    assert result.exit_code != 0 and "至少 8 位" in result.output


def test_plugins_list_and_demo(make_app):
    import chargehub_billing_standard.plugin as billing
    import chargehub_sample.plugin as sample

    app = make_app(plugins=[sample, billing])
    listing = invoke(app, "plugins", "list")
    assert "sample" in listing.output and "tenant" in listing.output and "available" in listing.output
    assert "create-admin" in invoke(app, "demo").output  # the demo is made as the platform administrator
    assert invoke(app, "create-admin", "--phone", "13800000000", "--password", "admin-pass-123").exit_code == 0
    first = invoke(app, "demo")
    assert "demo service provider created" in first.output, first.output
    assert first.output.count("demo car station created") == 3 and first.output.count("demo e-bike station created") == 3
    assert first.output.count("demo billing rule created") == 6, first.output
    assert "exists" in invoke(app, "demo").output
    with app.app_context():
        from chargehub.assets.bike_models import Socket
        from chargehub.assets.car_models import Gun

        assert db.session.execute(sa.select(sa.func.count(Gun.id))).scalar() == 12
        assert db.session.execute(sa.select(sa.func.count(Socket.id))).scalar() == 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(120)
def test_chargehub_run_serves_on_the_embedded_default(tmp_path):
    """A bare instance folder: db upgrade, then `chargehub run` answers /healthz with SQLite and a gateway."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEHUB_")}
    env.update(CHARGEHUB_INSTANCE_PATH=str(tmp_path), CHARGEHUB_PLUGIN_AUTOLOAD="1", CHARGEHUB_LOG_FORMAT="json")
    chargehub = [sys.executable, "-m", "chargehub"]
    subprocess.run([*chargehub, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60)
    port = _free_port()
    proc = subprocess.Popen([*chargehub, "run", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = json.load(response)
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.3)
        assert body is not None, "chargehub run did not answer in 60 s"
        assert body["ok"] is True
        assert body["checks"]["database"]["backend"] == "sqlite"
        assert body["checks"]["redis"]["configured"] is False
        assert body["checks"]["jobs"]["backend"] == "inprocess" and body["checks"]["jobs"]["ticker_running"]
        assert len(body["checks"]["gateways"]["nodes"]) == 1 and body["checks"]["gateways"]["nodes"][0]["alive"]
        assert (tmp_path / "chargehub.sqlite3").exists()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert "智慧充电平台" in response.read().decode()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "Traceback" not in out
    log_lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert any(line.get("logger") == "chargehub.plugins" and line["message"] == "plugin loaded" for line in log_lines)
