"""What operators see of the devices in the admin: live status, MQTT 账号, 上下线记录 and the records
the devices uploaded (桩交易记录, 单车充电记录).

Reads only what the gateway wrote (:mod:`chargehub.devices.models`, :mod:`chargehub.devices.bike_models`,
the piles' and e-bike devices' liveness columns):

- :mod:`.status` — a pile's online state and each gun's live figures (实时状态);
- :mod:`.bike_status` — an e-bike device's online state, faults, account state and each socket's live
  figures; 查看账号 (audited); the fault marker and live figures of the device and socket lists;
- :mod:`.online_records` — the 上下线记录 search (汇总统计 3.6.6);
- :mod:`.pile_records` — the 桩交易记录 search: transaction records as the piles uploaded them;
- :mod:`.bike_records` — the 单车充电记录 search: end-of-charge records as the e-bike chargers uploaded them;
- :mod:`.exports` / :mod:`.rows` — the three searches as .xlsx export kinds (``rows`` runs in the lean
  export writer process);
- :mod:`.schemas` and :mod:`.api` — the REST endpoints (``docs/api/devices.md``).
"""
