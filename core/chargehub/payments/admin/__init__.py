"""What operators see of payments, refunds and splits: 支付订单 (manual 3.4.3), 退费管理 (3.4.6), 分账记录
(3.6.1), and the 退费 / 分账 actions of the order pages (3.4.1 §4, 3.4.2 §4–5).

Read in this order:

- :mod:`.labels` — the words operators read for the record enums (one set, used by the API and exports);
- :mod:`.schemas` — the three searches (``*Filters``; 支付订单 and 退费管理 fill in the orders' 7-day window
  on load), list items, details, and the 退费 payload and answer;
- :mod:`.conditions` — each search as SQL conditions, scoped through the one scoping helper;
- :mod:`.detail` — 详细 of a payment (with the stored 第三方回调) and of a refund, and the order detail's
  支付明细 / 退费明细 / 分账 rows;
- :mod:`.exports` / :mod:`.rows` — 导出 as the export kinds ``payment`` and ``refund``;
- :mod:`.api` — the lists, details and 分账撤销 / 重新分账 under ``/api/v1/admin/payments``, ``/refunds``,
  ``/splits``; :mod:`.actions` — 退费 and 分账 of one order under ``/car-orders`` and ``/bike-orders``.

Records are moved only by the services (:func:`chargehub.payments.refunds.refund_order`,
:func:`chargehub.payments.splits.resplit`, :func:`chargehub.payments.splits.revoke_split`).
"""
