from __future__ import annotations

from ...customers.service import customers_by_ids
from ..batch_loader import RecordsByKeyLoader


class CustomerByIdLoader(RecordsByKeyLoader):
    fetch = staticmethod(customers_by_ids)
