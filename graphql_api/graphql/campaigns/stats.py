"""Campaign.stats: a campaign's figures, for the people who watch a sale."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Optional

import strawberry

from ...core.campaigns import CampaignTerms
from ...core.stats import average_discount, check_days, projected_exhaustion
from ..context import Info
from ..cost_directives import ListSize
from ..input_paths import InputPaths

# byDay(days:) is a plain argument of the field, not an input object.
_DAYS_PATHS = InputPaths(within=None)
DAYS_SIZE = ListSize(slicing_arguments=["days"], assumed_size=30, require_one_slicing_argument=False)


@strawberry.type(description="One business day of a campaign: the calendar day in the service's BUSINESS_TIMEZONE.")
class DailyUsage:
    date: str = strawberry.field(description="YYYY-MM-DD.")
    usage_count: int = strawberry.field(description="Usages applied that day that are not fully reversed.")
    total_discount: Decimal = strawberry.field(
        description="Their discounts, net of what was reversed of them since (on the day they were given).")


@strawberry.type(description="A campaign's figures, computed when read. Admin keys only.")
class CampaignStats:
    usage_count: int = strawberry.field(description="Usages that are not fully reversed (the campaign's usageCount).")
    total_discount: Decimal = strawberry.field(
        description="Every usage's discount net of reversals: the campaign's usedBudget.")
    average_discount: Decimal = strawberry.field(
        description="totalDiscount / usageCount, half-up to cents; \"0.00\" without usages.")
    unique_customers: int = strawberry.field(description="Customers with a usage that is not fully reversed.")
    campaign_pk: strawberry.Private[int]
    terms: strawberry.Private[CampaignTerms]

    @classmethod
    def of(cls, campaign_pk: int, terms: CampaignTerms, unique_customers: int) -> "CampaignStats":
        return cls(usage_count=terms.usage_count, total_discount=terms.used_budget,
                   average_discount=average_discount(terms.used_budget, terms.usage_count),
                   unique_customers=unique_customers, campaign_pk=campaign_pk, terms=terms)

    @strawberry.field(description="Net discount of the usages of the last 60 minutes.")
    async def burn_rate_per_hour(self, info: Info) -> Decimal:
        return (await info.context.loaders.figures_by_campaign_id.load(self.campaign_pk)).burn_per_hour

    @strawberry.field(description=(
        "When remainingBudget runs out at burnRatePerHour from now; null when the rate is 0 or that lands after "
        "endDate."))
    async def projected_exhaustion_at(self, info: Info) -> Optional[datetime]:
        figures = await info.context.loaders.figures_by_campaign_id.load(self.campaign_pk)
        return projected_exhaustion(self.terms.remaining_budget, figures.burn_per_hour, info.context.now,
                                    self.terms.end_date)

    @strawberry.field(description="The last `days` business days up to today, oldest first, days with no use "
                                  "included; a day across a daylight-saving change is there once.",
                      directives=[DAYS_SIZE])
    async def by_day(
        self, info: Info,
        days: Annotated[Optional[int], strawberry.argument(description="1 to 366; null means 30.")] = 30,
    ) -> list[DailyUsage]:
        days = 30 if days is None else days
        with _DAYS_PATHS.on_refusal():
            check_days(days)
        rows = await info.context.loaders.days_by_campaign.load((self.campaign_pk, days))
        return [DailyUsage(date=row.day.isoformat(), usage_count=row.usage_count, total_discount=row.total_discount)
                for row in rows]
