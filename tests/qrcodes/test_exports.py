"""QR-code exports end to end (eager jobs): the .xlsx has the rows, URLs and embedded images; progress,
ownership, scope, filters and the large-export fallback."""
from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from chargehub.assets.bike_models import Socket
from chargehub.assets.car_models import Gun
from chargehub.exports import ExportFile, ExportState, get_source, run_export
from chargehub.exports import kinds as export_kinds
from chargehub.exports.service import ExportWriterFailed
from chargehub.extensions import db, jobs
from chargehub.tenancy.models import User, UserType
from chargehub.tenancy.passwords import hash_password
from tests.qrcodes.conftest import PUBLIC_URL, decode_png

BASE = "/api/v1/admin/qrcodes"


def export(world, tenant: str, kind: str = "gun", **filters):
    response = world["client"].post(f"{BASE}/exports", headers=world[tenant]["headers"],
                                    json={"kind": kind, "filters": filters})
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.json


def download(world, tenant: str, body: dict):
    response = world["client"].get(body["download_url"], headers=world[tenant]["headers"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment")
    return load_workbook(io.BytesIO(response.data))


@pytest.mark.smoke
def test_gun_export_has_rows_urls_and_embedded_images(qr_world):
    a = qr_world["A"]
    started = export(qr_world, "A")
    status = qr_world["client"].get(f"{BASE}/exports/{started['export_id']}", headers=a["headers"]).json
    assert status["state"] == "done" and status["progress"] == 1 and status["rows"] == 4
    assert status["download_url"].endswith(f"/exports/{started['export_id']}/download")
    assert status["filename"].startswith("电枪二维码_") and status["filename"].endswith(".xlsx")
    assert jobs.status(started["job_id"]).progress == 1  # reported through the job too

    sheet = download(qr_world, "A", status)["电枪二维码"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("电站", "二维码", "二维码URL", "出厂标识", "充电桩", "枪号", "编号")
    guns = {g.id: g for g in db.session.query(Gun).filter(Gun.id.in_(a["gun_ids"]))}
    expected = {f"{PUBLIC_URL}/h5/charge/g/{g.qr_token}" for g in guns.values()}
    assert {row[2] for row in rows[1:]} == expected
    assert {row[0] for row in rows[1:]} == {"A汽车充电站"}
    assert {row[3] for row in rows[1:]} == {"A-FAC-P1", "A-FAC-Q2"}
    assert ("AP0001-03", 3) in {(row[6], row[5]) for row in rows[1:]}
    # one image per row, anchored to the row's B cell, each decoding to that row's URL
    assert len(sheet._images) == 4
    by_row = {image.anchor._from.row + 1: image for image in sheet._images}
    assert all(image.anchor._from.col == 1 for image in sheet._images)
    for excel_row in range(2, 6):
        assert decode_png(by_row[excel_row]._data()) == sheet.cell(excel_row, 3).value


@pytest.mark.smoke
def test_socket_export_and_filters(qr_world):
    a = qr_world["A"]
    body = export(qr_world, "A", "socket", device_code="D0001", state="idle")
    sheet = download(qr_world, "A", body)["插座二维码"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    tokens = {s.qr_token for s in db.session.query(Socket).filter(Socket.id.in_(a["socket_ids"]))}
    assert {row[2] for row in rows} == {f"{PUBLIC_URL}/h5/charge/s/{t}" for t in tokens}
    assert len(sheet._images) == 2
    assert rows[0][0] == "A单车充电站" and rows[0][3] == "A-FAC-D1"

    only_pile = export(qr_world, "A", pile_code="P0001", enabled=True)
    assert only_pile["rows"] == 3
    nothing = export(qr_world, "A", factory_id="no-such-factory")
    assert nothing["state"] == "done" and nothing["rows"] == 0


def test_exports_are_scoped_to_the_requesting_tenant(qr_world):
    body = export(qr_world, "B", station_id=qr_world["A"]["car_station_id"])
    assert body["rows"] == 0  # A's station is invisible to B
    own = export(qr_world, "B")
    sheet = download(qr_world, "B", own)["电枪二维码"]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"B汽车充电站"}


def test_another_user_cannot_see_or_download(qr_world, make_provider, auth_headers):
    a, b, client = qr_world["A"], qr_world["B"], qr_world["client"]
    body = export(qr_world, "A")
    colleague = User(phone="13912345678", name="同事", password_hash=hash_password("colleague-pass-1"),
                     user_type=UserType.PROVIDER, provider_id=a["provider"].id)
    admin = User(phone="13800000009", name="平台管理员", password_hash=hash_password("admin-pass-1234"),
                 user_type=UserType.SYSTEM, is_owner=True)
    db.session.add_all([colleague, admin])
    db.session.commit()
    for headers in (auth_headers(colleague), auth_headers(admin), b["headers"]):
        assert client.get(f"{BASE}/exports/{body['export_id']}", headers=headers).status_code == 404
        assert client.get(f"{BASE}/exports/{body['export_id']}/download", headers=headers).status_code == 404
    assert client.get(f"{BASE}/exports/{body['export_id']}/download", headers=a["headers"]).status_code == 200


def test_invalid_kind_and_filters_answer_422(qr_world):
    client, headers = qr_world["client"], qr_world["A"]["headers"]
    bad_kind = client.post(f"{BASE}/exports", headers=headers, json={"kind": "pile"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json["errors"]["json"]
    bad_state = client.post(f"{BASE}/exports", headers=headers, json={"kind": "gun", "filters": {"state": "lost"}})
    assert bad_state.status_code == 422 and "state" in bad_state.json["errors"]["json"]["filters"]
    unknown = client.post(f"{BASE}/exports", headers=headers, json={"kind": "gun", "filters": {"colour": "red"}})
    assert unknown.status_code == 422
    assert db.session.query(ExportFile).count() == 0


def test_large_exports_carry_urls_without_images(make_world):
    world = make_world(EXPORT_IMAGE_LIMIT=2)
    body = export(world, "A")
    assert body["rows"] == 4
    workbook = download(world, "A", body)
    sheet = workbook["电枪二维码"]
    assert sheet._images == []
    urls = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(urls) == 4 and all(url.startswith(f"{PUBLIC_URL}/h5/charge/g/") for url in urls)
    note = " ".join(str(row[0]) for row in workbook["说明"].iter_rows(values_only=True))
    assert "超过 2 行" in note


def test_pending_export_cannot_be_downloaded_and_rerun_is_idempotent(qr_world):
    a, client = qr_world["A"], qr_world["client"]
    pending = ExportFile(provider_id=a["provider"].id, user_id=a["owner"].id, kind="gun", filters={},
                         state=ExportState.QUEUED)
    db.session.add(pending)
    db.session.commit()
    status = client.get(f"{BASE}/exports/{pending.id}", headers=a["headers"]).json
    assert status["state"] == "queued" and status["download_url"] is None
    assert client.get(f"{BASE}/exports/{pending.id}/download", headers=a["headers"]).status_code == 409

    run_export(pending.id, "http://base.example")
    db.session.refresh(pending)
    assert pending.state is ExportState.DONE and pending.rows == 4
    first_path, finished = pending.path, pending.finished_at
    run_export(pending.id, "http://base.example")  # at-least-once delivery: a second run does nothing
    db.session.refresh(pending)
    assert (pending.path, pending.finished_at) == (first_path, finished)


def test_a_failing_export_is_marked_failed(qr_world):
    a = qr_world["A"]
    broken = ExportFile(provider_id=a["provider"].id, user_id=a["owner"].id, kind="gun",
                        filters={"state": "lost"}, state=ExportState.QUEUED)
    db.session.add(broken)
    db.session.commit()
    with pytest.raises(Exception):
        run_export(broken.id, "http://base.example")
    db.session.refresh(broken)
    assert broken.state is ExportState.FAILED and "ValidationError" in broken.error and broken.finished_at
    status = qr_world["client"].get(f"{BASE}/exports/{broken.id}", headers=a["headers"]).json
    assert status["state"] == "failed" and status["download_url"] is None


def test_export_runs_on_an_rq_worker(make_world):
    world = make_world(redis=True, JOBS_EAGER=False)
    a, client = world["A"], world["client"]
    body = export(world, "A", "socket")
    assert body["state"] == "queued" and body["download_url"] is None
    assert jobs.run_worker(world["app"], queues=["exports"], burst=True) is True
    status = client.get(f"{BASE}/exports/{body['export_id']}", headers=a["headers"]).json
    assert status["state"] == "done" and status["rows"] == 2 and status["progress"] == 1
    assert jobs.status(body["job_id"]).progress == 1
    assert len(download(world, "A", status)["插座二维码"]._images) == 2


def _queued(world, kind: str = "gun") -> ExportFile:
    a = world["A"]
    export_file = ExportFile(provider_id=a["provider"].id, user_id=a["owner"].id, kind=kind, filters={},
                             state=ExportState.QUEUED)
    db.session.add(export_file)
    db.session.commit()
    return export_file


@pytest.mark.smoke
def test_the_job_reports_rows_time_and_the_writer_processs_own_peak_memory(qr_world):
    summary = run_export(_queued(qr_world).id, PUBLIC_URL)
    assert summary["rows"] == 4 and summary["seconds"] > 0
    # the writer is a process of its own without the app: well under the app's own ~130 MB
    assert 20 < summary["writer_peak_rss_mb"] < 100


def test_the_writer_process_imports_nothing_of_the_app():
    probe = ("import sys, chargehub.exports.writer, chargehub.qrcodes.rows; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_sqlalchemy', 'openpyxl')"
             " or m in ('chargehub.extensions', 'chargehub.models', 'chargehub.app')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"  # openpyxl too is imported only when a workbook is written


def test_a_writer_failure_is_stored_with_the_writers_reason(qr_world, monkeypatch):
    broken = dataclasses.replace(get_source("gun"), row="chargehub.no_such_module:row")
    monkeypatch.setitem(export_kinds._KINDS, "broken", broken)
    export_file = _queued(qr_world, "broken")
    with pytest.raises(ExportWriterFailed):
        run_export(export_file.id, PUBLIC_URL)
    db.session.refresh(export_file)
    assert export_file.state is ExportState.FAILED and export_file.path is None
    assert "writer exited with 1" in export_file.error and "No module named 'chargehub.no_such_module'" in export_file.error
