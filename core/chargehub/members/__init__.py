"""会员中心 on the drivers' side: drivers (车主), their sign-in by SMS code, and balance accounts.

Models first (:mod:`.models`), then services: :mod:`.auth` (verification codes and app tokens),
:mod:`.balance` (the balance ledger). The driver API lives in :mod:`chargehub.app_api`.
"""
