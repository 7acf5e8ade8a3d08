"""What operators see of the devices in the admin: live status, 上下线记录 and 桩交易记录.

Reads only what the gateway wrote (:mod:`chargehub.devices.models`, the pile's liveness columns):

- :mod:`.status` — a pile's online state and each gun's live figures (实时状态);
- :mod:`.online_records` — the 上下线记录 search (汇总统计 3.6.6);
- :mod:`.pile_records` — the 桩交易记录 search: transaction records as the piles uploaded them;
- :mod:`.exports` / :mod:`.rows` — both searches as .xlsx export kinds (``rows`` runs in the lean
  export writer process);
- :mod:`.schemas` and :mod:`.api` — the REST endpoints (``docs/api/devices.md``).
"""
