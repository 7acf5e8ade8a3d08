"""Discovery through the ``chargehub.plugins`` entry points, end to end with the pip-installed sample plugin."""
from __future__ import annotations

import logging

import pytest

from chargehub.extensions import plugin_host

pytestmark = pytest.mark.smoke

SECRET = "entry-point-secret-key-000111"


def test_installed_distributions_are_found_through_entry_points(make_app, make_provider, auth_headers, caplog):
    app = make_app(PLUGIN_AUTOLOAD=True)
    with app.app_context():
        infos = {i.meta.name: i for i in plugin_host.plugins()}
        assert infos["sample"].source == "entrypoint:chargehub-sample"
        assert infos["webui"].source == "entrypoint:chargehub-webui"
        a, user_a = make_provider("A")
        b, user_b = make_provider("B")
        client = app.test_client()
        with caplog.at_level(logging.DEBUG):
            response = client.put(f"/api/v1/admin/providers/{a.id}/plugins/sample", headers=auth_headers(user_a),
                                  json={"enabled": True, "settings": {"merchant_no": "EP-000001", "api_key": SECRET}})
        assert response.status_code == 200 and response.json["secrets"] == {"api_key": "set"}
        assert SECRET not in response.get_data(as_text=True) and SECRET not in caplog.text
        assert list(plugin_host.providers("payment_providers", a.id)) == ["samplepay"]
        assert list(plugin_host.providers("payment_providers", b.id)) == []
        bad = client.put(f"/api/v1/admin/providers/{b.id}/plugins/sample", headers=auth_headers(user_b),
                         json={"enabled": True, "settings": {"merchant_no": "x"}})
        assert bad.status_code == 422
        assert set(bad.json["errors"]["json"]["settings"]) == {"merchant_no", "api_key"}
        assert not plugin_host.is_enabled("sample", b.id)


def test_entry_point_name_must_match_meta(make_app, monkeypatch):
    """A distribution whose entry-point name differs from META.name is refused at start-up."""
    from importlib.metadata import EntryPoint

    from chargehub.errors import PluginLoadError
    from chargehub.plugins import host

    wrong = EntryPoint(name="other_name", value="chargehub_sample.plugin", group=host.ENTRY_POINT_GROUP)
    monkeypatch.setattr(host, "entry_points", lambda group: [wrong])
    with pytest.raises(PluginLoadError, match="must match"):
        make_app(PLUGIN_AUTOLOAD=True)
