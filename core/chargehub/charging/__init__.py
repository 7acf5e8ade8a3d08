"""订单管理: charging orders of cars (piles and guns) and e-bikes (chargers and sockets).

Core owns the order state machines (:mod:`.states`); devices report, drivers and operators ask, and
only :mod:`.services` moves an order. Read in this order: :mod:`.models` → :mod:`.states` →
:mod:`.settlement` → :mod:`.services` (start, stop, end) → :mod:`.ingest` (what devices report) →
:mod:`.sweep` (timeouts, 挂起) → :mod:`.admin` (the operators' pages and API).
"""
