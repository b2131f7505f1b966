from __future__ import annotations

from ...discounts.history import usage_pages, usages_by_ids
from ...discounts.reversal import reversals_by_ids, reversals_by_usage_ids
from ..batch_loader import PagesByKeyLoader, RecordsByKeyLoader


class UsageByIdLoader(RecordsByKeyLoader):
    fetch = staticmethod(usages_by_ids)


class ReversalByIdLoader(RecordsByKeyLoader):
    fetch = staticmethod(reversals_by_ids)


class ReversalsByUsageIdLoader(RecordsByKeyLoader):
    """Each usage's reversals, a list (empty when none)."""

    fetch = staticmethod(reversals_by_usage_ids)


class UsagePageByCustomerLoader(PagesByKeyLoader):
    fetch = staticmethod(usage_pages)
