"""Subscriptions over graphql-transport-ws with a real WebSocket client,
across two server processes on one database: what one process commits, a
subscriber on the other receives, in commit order; authentication in
connection_init; the protocol's refusals."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from decimal import Decimal

import pytest
from sqlalchemy import text
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ..servers import start_server, stop_server
from ..support import APPLY
from .load import api_client, apply_input, make_campaign, make_customers, post

pytestmark = pytest.mark.concurrency

BUDGET = """subscription($id: ID!) { campaignBudget(id: $id) { usedBudget remainingBudget status at
  campaign { id } } }"""
EVENTS = "subscription { campaignEvents { kind threshold actor } }"


@pytest.fixture(scope="module")
def two_servers(database_url):
    first, first_url = start_server(database_url, DB_POOL_SIZE="4", WS_INIT_TIMEOUT_SECONDS="1",
                                    WS_SUBSCRIPTIONS_PER_CONNECTION="3")
    second, second_url = start_server(database_url, DB_POOL_SIZE="4")
    yield [first_url, second_url]
    stop_server(first)
    stop_server(second)


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/graphql"


class Socket:
    def __init__(self, connection):
        self.connection = connection

    async def send(self, message: dict) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, timeout: float = 10) -> dict:
        return json.loads(await asyncio.wait_for(self.connection.recv(), timeout))

    async def subscribe(self, operation_id: str, query: str, variables=None) -> None:
        await self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query,
                                                                              "variables": variables or {}}})


async def opened(base_url: str, key: str) -> Socket:
    connection = await connect(ws_url(base_url), subprotocols=["graphql-transport-ws"])
    socket = Socket(connection)
    await socket.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    assert await socket.receive() == {"type": "connection_ack"}
    return socket


async def closed_with(connection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        for _ in range(10):
            await asyncio.wait_for(connection.recv(), 10)
    return closed.value.rcvd.code


async def watched_sale(servers, key, name: str):
    """A campaign of 2000.00 named `name`, watched from the second process by
    a budget subscriber and an audit-event subscriber, then 100 applies of
    10.00, 10 at a time, all on the first: (campaign, budget socket, events socket)."""
    async with api_client(servers[0], key) as client:
        customers = await make_customers(client, 100, name.replace(" ", "-"))
        campaign = await make_campaign(client, name=name, discountFlat="10", discountPercentage=...,
                                       totalBudget="2000")
    socket = await opened(servers[1], key)
    events = await opened(servers[1], key)
    await socket.subscribe("budget", BUDGET, {"id": campaign["id"]})
    await events.subscribe("events", EVENTS)
    await asyncio.sleep(0.5)  # the subscriptions are registered before the first apply commits
    async with api_client(servers[0], key) as client:
        for start in range(0, 100, 10):
            await asyncio.gather(*(post(client, APPLY, apply_input(campaign["id"], customer))
                                   for customer in customers[start:start + 10]))
    return campaign, socket, events


def test_applies_on_one_process_reach_a_subscriber_on_the_other_in_commit_order(two_servers, admin_key,
                                                                                 admin_engine):
    async def scenario():
        campaign, socket, events = await watched_sale(two_servers, admin_key, "live")
        received = [await socket.receive() for _ in range(100)]
        thresholds = [await events.receive() for _ in range(1)]
        await socket.connection.close()
        await events.connection.close()
        return campaign, received, thresholds

    campaign, received, thresholds = asyncio.run(scenario())
    assert {message["type"] for message in received} == {"next"}
    used = [Decimal(message["payload"]["data"]["campaignBudget"]["usedBudget"]) for message in received]
    # Each apply is one event, in commit order: the used budget only grows, by 10.00 each time.
    assert used == [Decimal(10 * n) for n in range(1, 101)]
    with admin_engine.connect() as connection:
        in_database = connection.execute(text("SELECT used_budget FROM campaigns WHERE name = 'live'")).scalar_one()
    assert used[-1] == in_database == Decimal("1000.00")
    assert received[-1]["payload"]["data"]["campaignBudget"]["remainingBudget"] == "1000.00"
    assert received[-1]["payload"]["data"]["campaignBudget"]["campaign"]["id"] == campaign["id"]
    # 1000.00 of 2000.00: the 50 % threshold, once.
    assert thresholds == [{"type": "next", "id": "events", "payload": {"data": {"campaignEvents": {
        "kind": "BUDGET_THRESHOLD", "threshold": 50, "actor": None}}}}]


def test_after_the_listener_lost_its_connection_subscribers_catch_up(two_servers, admin_key, admin_engine):
    """The listening connection is killed as a database restart would; an
    apply commits while it is away; once it is back, the subscriber gets
    the campaign's current state."""
    async def scenario():
        async with api_client(two_servers[0], admin_key) as client:
            (first, second) = await make_customers(client, 2, "catchup")
            campaign = await make_campaign(client, name="catchup", discountFlat="10", discountPercentage=...)
        socket = await opened(two_servers[1], admin_key)
        await socket.subscribe("budget", BUDGET, {"id": campaign["id"]})
        await asyncio.sleep(0.5)
        async with api_client(two_servers[0], admin_key) as client:
            await post(client, APPLY, apply_input(campaign["id"], first))
            before = await socket.receive()
            with admin_engine.begin() as connection:
                killed = connection.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'campaign-service live listener'")).scalar_one()
            await post(client, APPLY, apply_input(campaign["id"], second))
        after = [await socket.receive(timeout=15)]
        while after[-1]["payload"]["data"]["campaignBudget"]["usedBudget"] != "20.00":
            after.append(await socket.receive(timeout=15))
        await socket.connection.close()
        return before, killed, after

    before, killed, after = asyncio.run(scenario())
    assert killed >= 1
    assert before["payload"]["data"]["campaignBudget"]["usedBudget"] == "10.00"
    # The catch-up (or the apply's own event, had the listener been back in time) carries the current state.
    assert after[-1]["payload"]["data"]["campaignBudget"]["usedBudget"] == "20.00"
    with admin_engine.connect() as connection:
        assert connection.execute(text("SELECT used_budget FROM campaigns WHERE name = 'catchup'")).scalar_one() \
            == Decimal("20.00")


def test_subscribers_of_one_change_each_get_their_own_selection(two_servers, admin_key):
    """One execution per change and document is shared; another document, or
    other variables, is executed for itself."""
    other = "subscription($id: ID!) { campaignBudget(id: $id) { remainingBudget status } }"

    async def scenario():
        async with api_client(two_servers[0], admin_key) as client:
            (customer,) = await make_customers(client, 1, "selections")
            campaign = await make_campaign(client, name="selections", discountFlat="10", discountPercentage=...,
                                           totalBudget="100")
        sockets = [await opened(two_servers[1], admin_key) for _ in range(3)]
        await sockets[0].subscribe("a", BUDGET, {"id": campaign["id"]})
        await sockets[1].subscribe("b", BUDGET, {"id": campaign["id"]})
        await sockets[2].subscribe("c", other, {"id": campaign["id"]})
        await asyncio.sleep(0.5)
        async with api_client(two_servers[0], admin_key) as client:
            await post(client, APPLY, apply_input(campaign["id"], customer))
        got = [await socket.receive() for socket in sockets]
        for socket in sockets:
            await socket.connection.close()
        return campaign, got

    campaign, (a, b, c) = asyncio.run(scenario())
    assert a["payload"] == b["payload"] and a["id"] == "a" and b["id"] == "b"
    assert a["payload"]["data"]["campaignBudget"]["usedBudget"] == "10.00"
    assert c["payload"] == {"data": {"campaignBudget": {"remainingBudget": "90.00", "status": "ACTIVE"}}}


def test_a_rolled_back_change_sends_nothing(two_servers, admin_key, admin_engine):
    """A transaction that changes the budget and rolls back notifies no one:
    the first event the subscriber gets is the change that committed after it."""
    async def scenario():
        async with api_client(two_servers[0], admin_key) as client:
            (customer,) = await make_customers(client, 1, "rollback")
            campaign = await make_campaign(client, name="rollback", discountFlat="10", discountPercentage=...)
        socket = await opened(two_servers[1], admin_key)
        await socket.subscribe("budget", BUDGET, {"id": campaign["id"]})
        await asyncio.sleep(0.5)
        connection = admin_engine.connect()
        transaction = connection.begin()
        connection.execute(text("UPDATE campaigns SET used_budget = used_budget + 7 WHERE name = 'rollback'"))
        transaction.rollback()
        connection.close()
        async with api_client(two_servers[0], admin_key) as client:
            await post(client, APPLY, apply_input(campaign["id"], customer))
        first = await socket.receive()
        await socket.connection.close()
        return first

    first = asyncio.run(scenario())
    assert first["payload"]["data"]["campaignBudget"]["usedBudget"] == "10.00"


def test_connection_init_decides_who_may_subscribe(two_servers, admin_key, checkout_key):
    async def scenario():
        codes = {}
        for name, payload in (("no key", {}), ("bad key", {"Authorization": "Bearer csk_nope"}),
                              ("checkout key", {"Authorization": f"Bearer {checkout_key}"})):
            connection = await connect(ws_url(two_servers[0]), subprotocols=["graphql-transport-ws"])
            await connection.send(json.dumps({"type": "connection_init", "payload": payload}))
            codes[name] = await closed_with(connection)
        # No connection_init at all: closed when the wait is over (1 s here).
        connection = await connect(ws_url(two_servers[0]), subprotocols=["graphql-transport-ws"])
        codes["silent"] = await closed_with(connection)
        # A subscribe before the init.
        connection = await connect(ws_url(two_servers[0]), subprotocols=["graphql-transport-ws"])
        await connection.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}))
        codes["subscribe first"] = await closed_with(connection)
        return codes

    assert asyncio.run(scenario()) == {"no key": 4401, "bad key": 4401, "checkout key": 4403, "silent": 4408,
                                       "subscribe first": 4401}


def test_the_protocols_refusals(two_servers, admin_key):
    async def scenario():
        socket = await opened(two_servers[0], admin_key)
        answers = {}
        await socket.subscribe("unknown", BUDGET, {"id": "Q2FtcGFpZ246OTk5OTk5"})
        answers["unknown campaign"] = await socket.receive()
        await socket.subscribe("mutation", "mutation { createCustomer(input: {email: \"x@example.com\", "
                                           "name: \"x\"}) { customer { id } } }")
        answers["mutation"] = await socket.receive()
        await socket.subscribe("no query", "")
        answers["no query"] = await socket.receive()
        await socket.send({"type": "ping"})
        answers["ping"] = await socket.receive()
        for n in range(3):  # the limit here is 3 a socket
            await socket.subscribe(f"s{n}", EVENTS)
        await socket.subscribe("one too many", EVENTS)
        answers["too many"] = await socket.receive()
        await socket.subscribe("s0", EVENTS)
        answers["duplicate id"] = await closed_with(socket.connection)
        socket = await opened(two_servers[0], admin_key)
        await socket.connection.send("not json")
        answers["garbage"] = await closed_with(socket.connection)
        socket = await opened(two_servers[0], admin_key)
        answers["extensions"] = socket.connection.response.headers.get("Sec-WebSocket-Extensions")
        await socket.send({"type": "ping", "payload": {"padding": "x" * 1_100_000}})
        answers["oversized"] = await closed_with(socket.connection)
        return answers

    answers = asyncio.run(scenario())
    assert answers["unknown campaign"]["type"] == "error"
    assert answers["unknown campaign"]["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    assert answers["mutation"]["type"] == "error"
    assert answers["mutation"]["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert answers["no query"]["type"] == "error"  # as over HTTP, where it is a 400
    assert answers["no query"]["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert answers["ping"] == {"type": "pong"}
    assert answers["too many"]["type"] == "error" and answers["too many"]["id"] == "one too many"
    assert answers["duplicate id"] == 4409
    assert answers["garbage"] == 4400
    assert answers["oversized"] == 1009  # over MAX_BODY_BYTES, the bound of a request body too
    assert answers["extensions"] is None  # the client offered permessage-deflate; events go as they are


def test_a_thousand_subscribe_messages_on_one_socket_run_only_the_allowed_few(two_servers, admin_key):
    """The first server allows 3 subscriptions a socket: the other 997 are
    refused one by one, and a subscriber on another socket is unaffected."""
    async def scenario():
        async with api_client(two_servers[0], admin_key) as client:
            (customer,) = await make_customers(client, 1, "flood")
            campaign = await make_campaign(client, name="flood", discountFlat="10", discountPercentage=...)
        flood = await opened(two_servers[0], admin_key)
        bystander = await opened(two_servers[0], admin_key)
        await bystander.subscribe("budget", BUDGET, {"id": campaign["id"]})
        for n in range(1000):
            await flood.subscribe(f"flood-{n}", BUDGET, {"id": campaign["id"]})
        refusals = [await flood.receive() for _ in range(997)]
        await asyncio.sleep(0.5)
        async with api_client(two_servers[1], admin_key) as client:
            await post(client, APPLY, apply_input(campaign["id"], customer))
        seen = await bystander.receive()
        running = [await flood.receive() for _ in range(3)]  # the three that run get the apply too
        await flood.connection.close()
        await bystander.connection.close()
        return refusals, seen, running

    refusals, seen, running = asyncio.run(scenario())
    assert {(message["type"], message["payload"][0]["extensions"]["code"]) for message in refusals} == \
        {("error", "BAD_REQUEST")}
    assert sorted(message["id"] for message in refusals) == sorted(f"flood-{n}" for n in range(3, 1000))
    assert seen["payload"]["data"]["campaignBudget"]["usedBudget"] == "10.00"
    assert sorted(message["id"] for message in running) == ["flood-0", "flood-1", "flood-2"]


def _frame(text: str) -> bytes:
    """One masked text frame, as a client sends it (RFC 6455)."""
    payload, mask = text.encode(), os.urandom(4)
    size = len(payload)
    header = bytes([0x81]) + (bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + size.to_bytes(2, "big"))
    return header + mask + bytes(byte ^ mask[n % 4] for n, byte in enumerate(payload))


def stalled_socket(base_url: str, key: str, campaign_id: str, subscriptions: int) -> socket.socket:
    """A client that opens a socket, subscribes, and then never reads again:
    a raw socket with a tiny receive buffer, the handshake done by hand."""
    host, port = base_url.removeprefix("http://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((host, int(port)))
    raw.sendall((f"GET /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())
    assert b" 101 " in raw.recv(4096)
    raw.sendall(_frame(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})))
    assert b"connection_ack" in raw.recv(4096)
    for n in range(subscriptions):
        raw.sendall(_frame(json.dumps({"id": f"s{n}", "type": "subscribe",
                                       "payload": {"query": BUDGET, "variables": {"id": campaign_id}}})))
    return raw


def test_a_subscriber_that_never_reads_is_dropped_and_the_others_carry_on(database_url, admin_key):
    """It stops reading (a tiny receive buffer, and a client that keeps one
    message at most) while its 64 subscriptions get an event per apply each:
    the server, with LIVE_QUEUE_SIZE 8 and WS_SEND_TIMEOUT_SECONDS 1, drops
    it instead of buffering, and another subscriber still gets every event."""
    import httpx2

    process, base_url = start_server(database_url, LIVE_QUEUE_SIZE="8", WS_SEND_TIMEOUT_SECONDS="1")
    try:
        async def scenario():
            async with api_client(base_url, admin_key) as client:
                customers = await make_customers(client, 300, "slow")
                campaign = await make_campaign(client, name="slow", discountFlat="1", discountPercentage=...,
                                               totalBudget="100000", maxUsagePerCustomerPerDay=5)
            stalled = stalled_socket(base_url, admin_key, campaign["id"], subscriptions=64)
            reader = await opened(base_url, admin_key)
            await reader.subscribe("budget", BUDGET, {"id": campaign["id"]})
            await asyncio.sleep(0.5)
            async with api_client(base_url, admin_key) as client:  # 1,500 applies: 96,000 messages to the stalled one
                for start in range(0, 1500, 20):
                    await asyncio.gather(*(post(client, APPLY, apply_input(campaign["id"], customer))
                                           for customer in (customers * 5)[start:start + 20]))
            got = [await reader.receive() for _ in range(1500)]
            await asyncio.sleep(3)  # past the send timeout
            metrics = httpx2.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {admin_key}"}).text
            await reader.connection.close()
            stalled.close()
            return got, metrics

        got, metrics = asyncio.run(scenario())
    finally:
        stop_server(process)
    assert [message["payload"]["data"]["campaignBudget"]["usedBudget"] for message in got][-1] == "1500.00"
    closed = [line for line in metrics.splitlines()
              if line.startswith("campaign_subscription_sockets_closed_total") and 'code="4413"' in line]
    assert closed and float(closed[0].rsplit(" ", 1)[1]) >= 1, metrics
    # The dropped socket's 64 subscriptions ended; the reader's one is left until it closed.
    active = [line for line in metrics.splitlines() if line.startswith("campaign_subscriptions_active")]
    assert active and float(active[0].rsplit(" ", 1)[1]) <= 1, active


def test_a_browser_from_another_origin_may_not_open_a_socket(two_servers):
    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            await connect(ws_url(two_servers[0]), subprotocols=["graphql-transport-ws"],
                          origin="https://evil.example")
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403
