"""ChargeHub's Leshua (乐刷) payment plugin: the ``leshua`` payment provider and its offline sandbox."""
