"""The ledger under real concurrent requests, spread over two server processes
on one database: reversals racing applies on a budget that runs out, many
reversals of one usage, the budget thresholds crossed by racing applies, and
applies, checkouts and reversals on shared rows without a deadlock; then
`campaign-service check` finds the whole database consistent."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from decimal import Decimal

import httpx2
import pytest
from sqlalchemy import text

from ..servers import started
from ..support import APPLY
from .load import (CAMPAIGNS, api_client, apply_all, apply_input, make_campaign, make_customers, outcome, post,
                   send_all)
from .test_checkout_races import ADD_CODES, run_check

pytestmark = pytest.mark.concurrency

REVERSE = """mutation($input: ReverseDiscountUsageInput!) { reverseDiscountUsage(input: $input) {
  reversal { id amount reason reversedAt }
  usage { id discountAmount reversedAmount netDiscountAmount isFullyReversed }
  userErrors { code field message } } }"""
BEST = """mutation($input: ApplyBestDiscountsInput!) { applyBestDiscounts(input: $input) {
  checkout { usages { id discountType discountAmount } } userErrors { code field message } } }"""
CAMPAIGN = """query($id: ID!) { campaign(id: $id) { usedBudget remainingBudget totalBudget usageCount status
  events(first: 50) { nodes { kind threshold actor } } } }"""
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def two_servers(database_url):
    with started(database_url, 2, DB_POOL_SIZE="4") as urls:
        yield urls


@pytest.fixture(scope="module")
def strict_servers(database_url):
    """Two more processes that do not retry a deadlock (DB_RETRY_ATTEMPTS=1):
    a lock-order cycle, which the retries would hide, is an error answer."""
    with started(database_url, 2, DB_POOL_SIZE="4", DB_RETRY_ATTEMPTS="1") as urls:
        yield urls


class Pool:
    """`connections` HTTP connections for one API key, spread round-robin over
    the servers; `call` sends one operation and returns its `field`."""

    def __init__(self, base_urls, key, connections):
        per_server = max(1, connections // len(base_urls))
        limits = httpx2.Limits(max_connections=per_server, max_keepalive_connections=per_server)
        self.clients = [api_client(url, key, limits=limits) for url in base_urls]
        self.turn = itertools.count()

    async def call(self, query, variables, field):
        client = self.clients[next(self.turn) % len(self.clients)]
        return (await post(client, query, variables))[field]

    async def reverse(self, usage_id, reason, amount=None):
        given = {"usageId": usage_id, "reason": reason}
        if amount is not None:
            given["amount"] = str(amount)
        return await self.call(REVERSE, {"input": given}, "reverseDiscountUsage")

    async def apply(self, variables):
        return await self.call(APPLY, variables, "applyDiscount")

    async def __aenter__(self):
        return self

    async def __aexit__(self, *_exc):
        for client in self.clients:
            await client.aclose()


async def _setup(url, key, customers, **campaign):
    async with api_client(url, key) as client:
        made = await make_customers(client, customers, campaign.pop("prefix"))
        created = await make_campaign(client, **campaign)
        return made, created


async def _read_campaign(url, key, campaign_id):
    async with api_client(url, key) as client:
        return (await post(client, CAMPAIGN, {"id": campaign_id}))["campaign"]


def campaign_row_id(engine, name):
    with engine.connect() as connection:
        return connection.execute(text("SELECT id FROM campaigns WHERE name = :name"),
                                  {"name": name}).scalar_one()


def ledger_of(engine, campaign_id):
    """used_budget, total_budget, Σ usage amounts and Σ reversal amounts of one campaign."""
    with engine.connect() as connection:
        return connection.execute(text(f"""
            SELECT c.used_budget, c.total_budget,
                   (SELECT coalesce(sum(u.discount_amount), 0) FROM discount_usages u
                    WHERE u.campaign_id = c.id) AS usage_sum,
                   (SELECT coalesce(sum(r.amount), 0) FROM discount_reversals r WHERE r.campaign_id = c.id)
                       AS reversal_sum
            FROM {CAMPAIGNS} c WHERE c.id = :id"""), {"id": campaign_id}).one()


def assert_ledger_balances(engine, campaign_id):
    row = ledger_of(engine, campaign_id)
    assert row.used_budget == row.usage_sum - row.reversal_sum, row
    assert 0 <= row.used_budget <= row.total_budget, row
    return row


def assert_reversed_amounts_match_rows(engine):
    """Every usage's reversed_amount is the sum of its reversal rows, and each
    row belongs to its usage's campaign."""
    with engine.connect() as connection:
        wrong = connection.execute(text("""
            SELECT u.id, u.reversed_amount, coalesce(sum(r.amount), 0) AS rows_sum
            FROM discount_usages u LEFT JOIN discount_reversals r ON r.usage_id = u.id
            GROUP BY u.id HAVING u.reversed_amount <> coalesce(sum(r.amount), 0)""")).all()
        foreign = connection.execute(text("""
            SELECT r.id FROM discount_reversals r JOIN discount_usages u ON u.id = r.usage_id
            WHERE r.campaign_id <> u.campaign_id""")).all()
    assert wrong == [] and foreign == [], (wrong, foreign)


def campaign_events(engine, campaign_id):
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT kind, threshold, actor FROM campaign_events WHERE campaign_id = :id ORDER BY id"),
            {"id": campaign_id}).all()
    return [(str(row.kind).upper(), row.threshold, row.actor) for row in rows]


def budget_events(events):
    return [event for event in events if event[0] in ("BUDGET_THRESHOLD", "EXHAUSTED")]


def test_reversals_free_budget_that_racing_applies_take(two_servers, admin_engine, admin_key, checkout_key,
                                                        database_url):
    """100 usages, then 100 reversals of them (half full, half partial) and 200
    new applies over 50 connections, on a budget that cannot hold them all.

    Each reversal is followed, on its own task, by one apply; an apply takes
    min(10.00, remaining), and each reversal frees at most 10.00. So after the
    last apply that found less than 10.00 left (there is one: 2000.00 are
    asked of at most 1200.00), every reversal is matched by a later apply that
    took at least what it freed: the race must end with the budget spent to
    the cent, whatever the interleaving."""
    partials = [Decimal("2.50"), Decimal("4.00"), Decimal("7.35"), Decimal("9.99")]

    def reversal_amount(n):  # None: a full reversal (no amount given)
        return None if n % 2 == 0 else partials[(n // 2) % len(partials)]

    async def scenario():
        buyers, campaign = await _setup(two_servers[0], admin_key, 50, prefix="ledger", name="ledger",
                                        discountPercentage=..., discountFlat="10", totalBudget="1500",
                                        maxUsagePerCustomerPerDay=1000)
        earlier = await apply_all(two_servers, admin_key, [
            apply_input(campaign["id"], buyers[n % 50], orderReference=f"pre-{n}") for n in range(100)],
            clients=50)
        assert [outcome(result) for result in earlier] == ["OK"] * 100
        assert {result["usage"]["discountAmount"] for result in earlier} == {"10.00"}

        async with Pool(two_servers, checkout_key, 50) as pool:
            async def reverse_then_apply(n):
                reversed_ = await pool.reverse(earlier[n]["usage"]["id"], f"refund {n}", reversal_amount(n))
                applied = await pool.apply(apply_input(campaign["id"], buyers[n % 50],
                                                       orderReference=f"after-{n}"))
                return reversed_, applied

            async def apply_alone(n):
                return await pool.apply(apply_input(campaign["id"], buyers[(n + 25) % 50],
                                                    orderReference=f"new-{n}"))

            jobs = []
            for n in range(100):
                jobs += [reverse_then_apply(n), apply_alone(n)]
            results = await asyncio.gather(*jobs)
        after = await _read_campaign(two_servers[1], admin_key, campaign["id"])
        return campaign, earlier, results[0::2], results[1::2], after

    campaign, earlier, chained, alone, after = asyncio.run(scenario())
    reversals = [pair[0] for pair in chained]
    new_applies = [pair[1] for pair in chained] + alone

    # Every reversal was of a distinct usage, within its net amount: all succeed.
    for n, answer in enumerate(reversals):
        assert answer["userErrors"] == [] and answer["reversal"], (n, answer)
        expected = reversal_amount(n) or Decimal("10.00")
        assert Decimal(answer["reversal"]["amount"]) == expected, (n, answer)
        assert answer["reversal"]["reason"] == f"refund {n}"
        assert answer["usage"]["id"] == earlier[n]["usage"]["id"]
        assert Decimal(answer["usage"]["reversedAmount"]) == expected
        assert Decimal(answer["usage"]["netDiscountAmount"]) == Decimal("10.00") - expected
        assert answer["usage"]["isFullyReversed"] is (expected == Decimal("10.00"))
    freed = sum((reversal_amount(n) or Decimal("10.00") for n in range(100)), Decimal("0"))

    # The applies: taken or refused for the budget, nothing else; the budget
    # ran out during the race, and what the reversals freed was taken.
    outcomes = Counter(map(outcome, new_applies))
    assert set(outcomes) <= {"OK", "BUDGET_EXHAUSTED"}, outcomes
    assert outcomes["BUDGET_EXHAUSTED"] >= 1, outcomes
    taken = sum((Decimal(a["usage"]["discountAmount"]) for a in new_applies if a["usage"]), Decimal("0"))
    assert taken == Decimal("500.00") + freed, (taken, freed)

    # The database: one row per successful reversal answer, as answered.
    campaign_id = campaign_row_id(admin_engine, "ledger")
    with admin_engine.connect() as connection:
        rows = connection.execute(text("""
            SELECT r.reason, r.amount, r.campaign_id, u.order_reference
            FROM discount_reversals r JOIN discount_usages u ON u.id = r.usage_id""")).all()
    assert len(rows) == 100
    by_reason = {row.reason: row for row in rows}
    assert len(by_reason) == 100
    for n, answer in enumerate(reversals):
        row = by_reason[f"refund {n}"]
        assert (row.amount, row.campaign_id, row.order_reference) == \
            (Decimal(answer["reversal"]["amount"]), campaign_id, f"pre-{n}"), (n, row)
    assert_reversed_amounts_match_rows(admin_engine)
    row = assert_ledger_balances(admin_engine, campaign_id)
    assert row.reversal_sum == freed
    assert row.used_budget == row.total_budget == Decimal("1500.00"), row

    # The API agrees with the database.
    with admin_engine.connect() as connection:
        counting = connection.execute(text(
            "SELECT count(*) FROM discount_usages"
            " WHERE campaign_id = :id AND reversed_amount < discount_amount"),
            {"id": campaign_id}).scalar()
    assert counting == 50 + outcomes["OK"]
    assert (after["usedBudget"], after["remainingBudget"], after["status"], after["usageCount"]) == \
        (str(row.used_budget), "0.00", "BUDGET_EXHAUSTED", counting), after
    check = run_check(database_url)
    assert check.returncode == 0, check.stdout + check.stderr


def test_one_usage_reversed_in_full_twenty_times_at_once_is_reversed_once(two_servers, admin_engine,
                                                                          admin_key, database_url):
    async def scenario():
        (buyer,), campaign = await _setup(two_servers[0], admin_key, 1, prefix="once", name="once",
                                          discountPercentage="15", totalBudget="1000")
        async with api_client(two_servers[1], admin_key) as client:
            applied = (await post(client, APPLY, apply_input(campaign["id"], buyer)))["applyDiscount"]
        assert applied["usage"]["discountAmount"] == "90.00", applied
        answers = await send_all(two_servers, admin_key, REVERSE, [
            {"input": {"usageId": applied["usage"]["id"], "reason": f"full refund {n}"}} for n in range(20)],
            clients=20, field="reverseDiscountUsage")
        after = await _read_campaign(two_servers[0], admin_key, campaign["id"])
        return applied, answers, after

    applied, answers, after = asyncio.run(scenario())
    won = [answer for answer in answers if answer["reversal"]]
    assert len(won) == 1, answers
    assert won[0]["userErrors"] == []
    assert won[0]["reversal"]["amount"] == "90.00"
    assert (won[0]["usage"]["reversedAmount"], won[0]["usage"]["netDiscountAmount"],
            won[0]["usage"]["isFullyReversed"]) == ("90.00", "0.00", True), won[0]
    lost = [answer for answer in answers if not answer["reversal"]]
    assert [[error["code"] for error in answer["userErrors"]] for answer in lost] == \
        [["REVERSAL_EXCEEDS_USAGE"]] * 19, lost

    campaign_id = campaign_row_id(admin_engine, "once")
    with admin_engine.connect() as connection:
        rows = connection.execute(text("SELECT usage_id, amount, reason FROM discount_reversals")).all()
        usage = connection.execute(text(
            "SELECT id, discount_amount, reversed_amount FROM discount_usages")).one()
    assert len(rows) == 1, rows
    assert (rows[0].usage_id, rows[0].amount, rows[0].reason) == \
        (usage.id, Decimal("90.00"), won[0]["reversal"]["reason"])
    assert usage.reversed_amount == usage.discount_amount == Decimal("90.00")
    row = assert_ledger_balances(admin_engine, campaign_id)
    assert row.used_budget == Decimal("0.00")
    assert (after["usedBudget"], after["remainingBudget"], after["usageCount"], after["status"]) == \
        ("0.00", "1000.00", 0, "ACTIVE"), after
    check = run_check(database_url)
    assert check.returncode == 0, check.stdout + check.stderr


def test_one_refund_retried_twenty_times_at_once_is_one_reversal_and_nineteen_replays(two_servers, admin_engine,
                                                                                     admin_key, database_url):
    """The same idempotency key: the retries wait for the locks, then answer
    with the first reversal instead of refusing what it left."""
    async def scenario():
        (buyer,), campaign = await _setup(two_servers[0], admin_key, 1, prefix="retried", name="retried",
                                          discountPercentage="15", totalBudget="1000")
        async with api_client(two_servers[1], admin_key) as client:
            applied = (await post(client, APPLY, apply_input(campaign["id"], buyer)))["applyDiscount"]
        answers = await send_all(two_servers, admin_key, REVERSE, [
            {"input": {"usageId": applied["usage"]["id"], "reason": "refund", "idempotencyKey": "refund-once"}}
            for _ in range(20)], clients=20, field="reverseDiscountUsage")
        return answers

    answers = asyncio.run(scenario())
    assert all(answer["userErrors"] == [] for answer in answers), answers
    assert len({answer["reversal"]["id"] for answer in answers}) == 1
    assert all(answer["usage"]["isFullyReversed"] for answer in answers)
    with admin_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM discount_reversals")).scalar_one() == 1
    assert run_check(database_url).returncode == 0


def test_racing_applies_record_each_budget_threshold_once(two_servers, admin_engine, admin_key, database_url):
    """'half' goes from 45 % to 77 % in one race of 64 applies: one 50 %
    event, no other. 'full' goes from 40 % to exhaustion in one race of 64
    applies of which 60 fit: one event for each of 50, 80, 95 and 100 % and
    one EXHAUSTED."""

    async def scenario():
        buyers, half = await _setup(two_servers[0], admin_key, 64, prefix="edge", name="half",
                                    discountPercentage=..., discountFlat="10", totalBudget="2000",
                                    maxUsagePerCustomerPerDay=1000)
        async with api_client(two_servers[1], admin_key) as client:
            full = await make_campaign(client, name="full", discountPercentage=..., discountFlat="10",
                                       totalBudget="1000", maxUsagePerCustomerPerDay=1000)
        before = await asyncio.gather(
            apply_all(two_servers, admin_key, [apply_input(half["id"], buyers[n % 64]) for n in range(90)],
                      32),
            apply_all(two_servers, admin_key, [apply_input(full["id"], buyers[n % 64]) for n in range(40)],
                      32))
        assert [outcome(result) for result in before[0] + before[1]] == ["OK"] * 130
        quiet = (budget_events(campaign_events(admin_engine, campaign_row_id(admin_engine, "half"))),
                 budget_events(campaign_events(admin_engine, campaign_row_id(admin_engine, "full"))))
        races = await asyncio.gather(
            apply_all(two_servers, admin_key, [apply_input(half["id"], buyer) for buyer in buyers], 64),
            apply_all(two_servers, admin_key, [apply_input(full["id"], buyer) for buyer in buyers], 64))
        read = await asyncio.gather(_read_campaign(two_servers[0], admin_key, half["id"]),
                                    _read_campaign(two_servers[1], admin_key, full["id"]))
        return quiet, races, read

    quiet, (half_race, full_race), (half_read, full_read) = asyncio.run(scenario())
    assert quiet == ([], []), quiet  # 45 % and 40 %: below every threshold
    assert Counter(map(outcome, half_race)) == {"OK": 64}
    assert Counter(map(outcome, full_race)) == {"OK": 60, "BUDGET_EXHAUSTED": 4}

    half_id, full_id = campaign_row_id(admin_engine, "half"), campaign_row_id(admin_engine, "full")
    assert assert_ledger_balances(admin_engine, half_id).used_budget == Decimal("1540.00")
    assert assert_ledger_balances(admin_engine, full_id).used_budget == Decimal("1000.00")
    half_events = budget_events(campaign_events(admin_engine, half_id))
    full_events = budget_events(campaign_events(admin_engine, full_id))
    assert half_events == [("BUDGET_THRESHOLD", 50, None)], half_events
    assert sorted(full_events, key=lambda event: (event[0], event[1] or 0)) == [
        ("BUDGET_THRESHOLD", 50, None), ("BUDGET_THRESHOLD", 80, None), ("BUDGET_THRESHOLD", 95, None),
        ("BUDGET_THRESHOLD", 100, None), ("EXHAUSTED", None, None)], full_events

    # Through the API, newest first: the same events, by the service (no actor).
    def listed(read):
        return [(node["kind"], node["threshold"], node["actor"]) for node in read["events"]["nodes"]
                if node["kind"] in ("BUDGET_THRESHOLD", "EXHAUSTED")]

    assert listed(half_read) == [("BUDGET_THRESHOLD", 50, None)], half_read
    full_listed = listed(full_read)
    assert Counter((kind, threshold) for kind, threshold, _ in full_listed if kind == "BUDGET_THRESHOLD") == \
        {("BUDGET_THRESHOLD", 50): 1, ("BUDGET_THRESHOLD", 80): 1, ("BUDGET_THRESHOLD", 95): 1,
         ("BUDGET_THRESHOLD", 100): 1}, full_listed
    assert [kind for kind, _, _ in full_listed].count("EXHAUSTED") == 1, full_listed
    assert {actor for _, _, actor in full_listed} == {None}, full_listed
    # Newest first: the order in which the crossings were recorded, one after
    # the other under the campaign's lock. (Not by `at`: that is each apply's
    # moment, read before it waited for the lock.)
    assert [t for kind, t, _ in full_listed if kind == "BUDGET_THRESHOLD"] == [100, 95, 80, 50], full_listed
    assert full_read["events"]["nodes"][-1]["kind"] == "CREATED", full_read["events"]
    assert (half_read["usedBudget"], full_read["usedBudget"], full_read["status"]) == \
        ("1540.00", "1000.00", "BUDGET_EXHAUSTED")
    check = run_check(database_url)
    assert check.returncode == 0, check.stdout + check.stderr


def test_applies_checkouts_and_reversals_on_shared_rows_never_deadlock(strict_servers, admin_engine,
                                                                       admin_key, checkout_key, database_url):
    """applyBestDiscounts locks several campaigns, applyDiscount one, a
    reversal its code, campaign and usage, on shared customers, orders, codes
    and campaigns: every request gets a normal answer, none a deadlock (the
    servers do not retry one, so one would be an error answer)."""
    two_servers = strict_servers

    async def scenario():
        shoppers, coded = await _setup(two_servers[0], admin_key, 20, prefix="mesh", name="coded",
                                       requiresCode=True, maxUsagePerCustomerPerDay=1000,
                                       totalBudget="100000")
        async with api_client(two_servers[1], admin_key) as client:
            delivery = await make_campaign(client, name="delivery", discountType="DELIVERY",
                                           discountPercentage="50",
                                           maxUsagePerCustomerPerDay=1000, totalBudget="100000")
            plain = await make_campaign(client, name="plain", discountPercentage=..., discountFlat="15",
                                        maxUsagePerCustomerPerDay=1000, totalBudget="100000")
            added = await post(client, ADD_CODES, {"i": {"campaignId": coded["id"],
                                                         "codes": [f"MESH-{n}" for n in range(20)],
                                                         "usesPerCode": None}})
            assert added["addCouponCodes"]["addedCount"] == 20, added
        campaigns = [coded, delivery, plain]
        earlier = await apply_all(two_servers, admin_key, [
            apply_input(campaigns[k % 3]["id"], shoppers[k % 20], deliveryCharge="20",
                        orderReference=f"pre-{k}", **({"couponCode": f"mesh-{k % 20}"} if k % 3 == 0 else {}))
            for k in range(30)], clients=30)
        assert [outcome(result) for result in earlier] == ["OK"] * 30, earlier
        assert [result["usage"]["discountAmount"] for result in earlier[:3]] == ["60.00", "10.00", "15.00"]

        def share(usage, k):  # pair kinds: 40 % + 40 %, 60 % + 60 %, full + 30 %
            amount = Decimal(usage["discountAmount"])
            kind = k % 3
            if kind == 0:
                return [(amount * Decimal("0.4")).quantize(CENT)] * 2
            if kind == 1:
                return [(amount * Decimal("0.6")).quantize(CENT)] * 2
            return [None, (amount * Decimal("0.3")).quantize(CENT)]

        async with Pool(two_servers, admin_key, 40) as admins, Pool(two_servers, checkout_key, 20) as shop:
            async def chain(j):
                applied = await admins.apply(apply_input(plain["id"], shoppers[j % 20],
                                                         orderReference=f"chain-{j}"))
                if not applied["usage"]:
                    return applied, None
                return applied, await shop.reverse(applied["usage"]["id"], f"chain {j}")

            jobs = []
            for n in range(150):
                k, order = n // 5, n % 25
                shopper = shoppers[order % 20]
                if n % 5 == 0:
                    codes = [f"MESH-{order % 20}", f"MESH-{(order + 1) % 20}"] if n % 2 == 0 else []
                    jobs.append(("best", admins.call(BEST, {"input": {
                        "customerId": shopper, "cartValue": "600", "deliveryCharge": "20",
                        "orderReference": f"o-{order}", "couponCodes": codes}}, "applyBestDiscounts")))
                elif n % 5 == 1:
                    jobs.append(("apply", admins.apply(apply_input(coded["id"], shopper, deliveryCharge="20",
                                                                   orderReference=f"o-{order}",
                                                                   couponCode=f"MESH-{order % 20}"))))
                elif n % 5 == 2:
                    other = delivery if k % 2 == 0 else plain
                    jobs.append(("apply", admins.apply(apply_input(other["id"], shopper, deliveryCharge="20",
                                                                   orderReference=f"o-{order}"))))
                else:
                    half = n % 5 - 3
                    usage = earlier[k]["usage"]
                    key = shop if half else admins
                    jobs.append((f"reverse {k} {half}", key.reverse(usage["id"], f"pair {k} {half}",
                                                                     share(usage, k)[half])))
                if n % 15 == 7:
                    jobs.append(("chain", chain(n // 15)))
            results = await asyncio.gather(*[job for _, job in jobs])
        return earlier, [(label, result) for (label, _), result in zip(jobs, results)], share

    earlier, results, share = asyncio.run(scenario())  # post() asserts 200s without top-level errors
    assert len(results) == 160

    def codes(payload):
        return [error["code"] for error in payload["userErrors"]]

    pairs = defaultdict(dict)
    for label, payload in results:
        if label == "best":
            assert bool(payload["checkout"]) != bool(payload["userErrors"]), payload
            assert set(codes(payload)) <= {"NO_DISCOUNT_APPLIES"}, payload
        elif label == "apply":
            assert bool(payload["usage"]) != bool(payload["userErrors"]), payload
            assert set(codes(payload)) <= {"NOT_COMBINABLE"}, payload
        elif label == "chain":
            applied, reversed_ = payload
            assert outcome(applied) == "OK", applied
            assert reversed_["userErrors"] == [] and reversed_["reversal"]["amount"] == "15.00", reversed_
            assert reversed_["usage"]["isFullyReversed"] is True
        else:
            _, k, half = label.split()
            pairs[int(k)][int(half)] = payload
            assert bool(payload["reversal"]) != bool(payload["userErrors"]), payload
            assert set(codes(payload)) <= {"REVERSAL_EXCEEDS_USAGE"}, payload
    assert len(pairs) == 30
    for k, pair in pairs.items():
        won = [half for half in (0, 1) if pair[half]["reversal"]]
        amount = Decimal(earlier[k]["usage"]["discountAmount"])
        if k % 3 == 0:
            assert won == [0, 1], pair
        elif k % 3 == 1:
            assert len(won) == 1, pair
        else:  # the full one first leaves nothing for the 30 %; the 30 % first leaves 70 % for the full one
            assert won in ([0], [0, 1]), pair
            assert won == [0, 1] or Decimal(pair[0]["reversal"]["amount"]) == amount, pair
            if won == [0, 1]:
                rest = amount - share(earlier[k]["usage"], k)[1]
                assert Decimal(pair[0]["reversal"]["amount"]) == rest, pair

    with admin_engine.connect() as connection:
        reversed_per_usage = dict(connection.execute(text(
            "SELECT order_reference, reversed_amount FROM discount_usages"
            " WHERE order_reference LIKE 'pre-%'")).all())
        per_order = connection.execute(text("""
            SELECT order_reference, discount_type, count(*) AS n FROM discount_usages
            WHERE order_reference LIKE 'o-%'
            GROUP BY order_reference, discount_type HAVING count(*) > 1""")).all()
        campaign_ids = [row.id for row in connection.execute(text("SELECT id FROM campaigns")).all()]
        reversal_rows = connection.execute(text("SELECT count(*) FROM discount_reversals")).scalar()
    succeeded = sum(1 for pair in pairs.values() for half in (0, 1) if pair[half]["reversal"])
    assert reversal_rows == succeeded + 10, (reversal_rows, succeeded)  # and the 10 chains' reversals
    for k, pair in pairs.items():
        expected = sum((Decimal(pair[half]["reversal"]["amount"])
                        for half in (0, 1) if pair[half]["reversal"]), Decimal("0"))
        assert reversed_per_usage[f"pre-{k}"] == expected, (k, pair)
    assert per_order == [], per_order
    assert_reversed_amounts_match_rows(admin_engine)
    for campaign_id in campaign_ids:
        assert_ledger_balances(admin_engine, campaign_id)
    check = run_check(database_url)
    assert check.returncode == 0, check.stdout + check.stderr
