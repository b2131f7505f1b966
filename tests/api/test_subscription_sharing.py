"""The subscribers of one change who sent the same document (same role,
same variables) share one execution of it, and its payload text; others
get their own (graphql_api/graphql/engine/pipeline.py, `_shared`)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from decimal import Decimal

from graphql import ExecutionResult

from graphql_api.graphql.engine import pipeline
from graphql_api.graphql.enums import CampaignStatus
from graphql_api.graphql.live.types import CampaignBudgetEvent


class CountingExecutor:
    def __init__(self):
        self.built = []

    def build_per_event_executor(self, event):
        self.built.append(event)
        return event


def _event() -> CampaignBudgetEvent:
    # A strawberry type: it compares by value and cannot be hashed, so sharing must go by identity.
    return CampaignBudgetEvent(used_budget=Decimal("10.00"), remaining_budget=Decimal("90.00"),
                               status=CampaignStatus.ACTIVE, at=datetime(2026, 12, 1, tzinfo=timezone.utc),
                               campaign_pk=1)


def test_subscribers_of_one_event_share_one_execution(monkeypatch):
    monkeypatch.setattr(pipeline, "execute_subscription_event", lambda event: ExecutionResult({"seen": id(event)}))
    event, equal_twin = _event(), _event()
    assert event == equal_twin  # equal by value, yet another change

    async def received(executor, shared_by, *events):
        async def source():
            for item in events:
                yield item
        return [result async for result in pipeline._shared(executor, source(), shared_by)]

    async def scenario():
        executor = CountingExecutor()
        same = ("ADMIN", 1, None, '{"id": "x"}')
        first = await received(executor, same, event)
        second = await received(executor, same, event)
        other_variables = await received(executor, ("ADMIN", 1, None, '{"id": "y"}'), event)
        twin = await received(executor, same, equal_twin)
        return executor, first, second, other_variables, twin

    executor, first, second, other_variables, twin = asyncio.run(scenario())
    assert first[0] is second[0]  # one execution, one payload text for both
    assert other_variables[0] is not first[0]
    assert twin[0] is not first[0]
    assert executor.built == [event, event, equal_twin]


def test_an_events_results_go_with_it(monkeypatch):
    monkeypatch.setattr(pipeline, "execute_subscription_event", lambda event: ExecutionResult({}))
    event = _event()

    async def one():
        async def source():
            yield event
        return [result async for result in pipeline._shared(CountingExecutor(), source(), ("ADMIN",))]

    asyncio.run(one())
    assert id(event) in pipeline._RESULTS
    del event
    assert not any(results for results in pipeline._RESULTS.values() if ("ADMIN",) in results)


def test_subscribers_woken_together_share_an_execution_that_awaits(monkeypatch):
    """As when a notification wakes every subscriber in one turn of the loop,
    and the document has a field that awaits (`campaign`, from a loader)."""
    executions = []

    async def executing(event):
        executions.append(event)
        await asyncio.sleep(0.01)
        return ExecutionResult({"seen": id(event)})

    monkeypatch.setattr(pipeline, "execute_subscription_event", executing)
    event = _event()

    async def one_subscriber():
        async def source():
            yield event
        return [result async for result in pipeline._shared(CountingExecutor(), source(), ("ADMIN", 1, None, "{}"))]

    async def scenario():
        return await asyncio.gather(*(one_subscriber() for _ in range(5)))

    received = asyncio.run(scenario())
    assert len(executions) == 1
    assert len({id(results[0]) for results in received}) == 1
    assert received[0][0].result.data == {"seen": id(event)}
