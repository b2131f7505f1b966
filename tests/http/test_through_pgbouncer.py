"""The race and reliability tests again, with every service process behind
PgBouncer in transaction pooling mode (`DB_POOLER=transaction`): no
server-side prepared statements, no startup options, the lock and statement
timeouts set with SET LOCAL in each write transaction, and the live
listener connected around the pooler (`LIVE_DATABASE_URL`, the database
itself), since LISTEN needs a session.

The tests are the other modules' own, collected here a second time with
this module's server fixtures. They skip without Debian's `pgbouncer`,
except under `.ci/run`, which installs it and sets PGBOUNCER_REQUIRED=1."""

from __future__ import annotations

import pytest
from .. import pgbouncer
from ..servers import started

if not pgbouncer.available() and not pgbouncer.REQUIRED:
    pytest.skip("PgBouncer is not installed (Debian package `pgbouncer`; .ci/run installs it)",
                allow_module_level=True)

from .test_checkout_races import (  # noqa: E402,F401 - collected again, behind the pooler
    test_caps_and_codes_hold_across_two_processes,
    test_checkouts_applies_and_edits_on_the_same_rows_never_deadlock,
    test_one_order_gets_one_discount_per_type_and_an_exclusive_one_alone,
)
from .test_concurrency import (  # noqa: E402,F401
    test_a_hundred_concurrent_requests_all_complete,
    test_an_apply_that_finds_the_budget_spent_meanwhile_decides_again,
    test_an_edit_committed_while_an_apply_waits_for_the_lock_decides_the_apply,
    test_budget_for_exactly_fifty_under_two_hundred_concurrent_applies,
    test_daily_limit_holds_under_twenty_concurrent_applies,
    test_one_key_raced_across_two_campaigns_applies_once,
    test_twenty_concurrent_retries_with_one_key_apply_once,
)
from .test_ledger_races import (  # noqa: E402,F401
    test_applies_checkouts_and_reversals_on_shared_rows_never_deadlock,
    test_one_refund_retried_twenty_times_at_once_is_one_reversal_and_nineteen_replays,
    test_one_usage_reversed_in_full_twenty_times_at_once_is_reversed_once,
    test_racing_applies_record_each_budget_threshold_once,
    test_reversals_free_budget_that_racing_applies_take,
)
from .test_subscriptions import (  # noqa: E402,F401
    test_applies_on_one_process_reach_a_subscriber_on_the_other_in_commit_order,
)

pytestmark = pytest.mark.concurrency


@pytest.fixture(scope="module")
def pooler(database_url):
    bouncer = pgbouncer.PgBouncer(database_url)
    yield bouncer
    bouncer.stop()


def _behind(pooler, database_url, count, **env):
    return started(pooler.url, count, DB_POOL_SIZE="4", DB_POOLER="transaction", LIVE_DATABASE_URL=database_url,
                   **env)


@pytest.fixture(scope="module")
def server(pooler, database_url):
    with _behind(pooler, database_url, 1) as urls:
        yield urls[0]


@pytest.fixture(scope="module")
def two_servers(pooler, database_url):
    with _behind(pooler, database_url, 2) as urls:
        yield urls


@pytest.fixture(scope="module")
def strict_servers(pooler, database_url):
    # As in test_ledger_races: one attempt, so that a deadlock would show instead of being retried.
    with _behind(pooler, database_url, 2, DB_RETRY_ATTEMPTS="1") as urls:
        yield urls


def test_the_service_really_is_behind_the_pooler(server, pooler, admin_key):
    """PgBouncer's console lists the service's connections among its clients."""
    import httpx2
    import psycopg2

    httpx2.post(f"{server}/graphql", json={"query": "{ campaigns(first: 1) { nodes { id } } }"},
                headers={"Authorization": f"Bearer {admin_key}"}, timeout=30).raise_for_status()
    admin = psycopg2.connect(f"postgresql://{pooler.user}@127.0.0.1:{pooler.port}/pgbouncer")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SHOW CLIENTS")
        columns = [column.name for column in cursor.description]
        clients = [dict(zip(columns, row)) for row in cursor.fetchall()]
    admin.close()
    assert any(client["application_name"] == "campaign-service" for client in clients), clients
