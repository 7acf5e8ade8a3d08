"""支付、退费与分账: payments, refunds and split payments of charging orders.

Core owns the records and their states (:mod:`.models`); payment plugins talk to the vendors through
the contract in :mod:`chargehub.contracts.payments`. Read in this order: :mod:`.models` →
:mod:`.providers` (which provider, with which settings, for a station) → :mod:`.service` (a prepaid
payment for an order and its result) → :mod:`.refunds` → :mod:`.splits` → :mod:`.notify` (the vendors'
callbacks) → :mod:`.sweep` (queries when no callback came) → :mod:`.admin` (the operators' pages' API).
"""
