"""What operators see of the charging orders: 汽车订单 (manual 3.4.1) and 单车订单 (manual 3.4.2).

Read in this order:

- :mod:`.schemas` — the two searches (``*Filters``: the default 7-day window is filled in on load),
  list items, the 合计 / 总计 answers, the detail, 结束, and the words of the order enums;
- :mod:`.conditions` — each side's search as SQL conditions, and the list, page-totals and totals
  queries built on them (plain columns, no joins: orders carry the names they were made with);
- :mod:`.detail` — 详细: an order with its payment, bill, refunds, invoices and transitions;
- :mod:`.exports` / :mod:`.rows` — 导出 as the export kinds ``car_order`` and ``bike_order`` (``rows``
  runs in the lean export writer process);
- :mod:`.api` — the REST endpoints under ``/api/v1/admin/car-orders`` and ``/api/v1/admin/bike-orders``.

- :mod:`.start` — 启动充电: operators' free test orders on a gun or a socket.

Orders are moved only by the order services (结束 calls :func:`chargehub.charging.control.end_by_operator`).
"""
