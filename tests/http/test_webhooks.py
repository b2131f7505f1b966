"""Webhooks delivered by two server processes to a receiver on 127.0.0.1
that goes away mid-sale and comes back: it gets every event, signed, at
least once (repeats carry the same X-Event-Id)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ..servers import free_port, started
from ..support import APPLY
from .load import api_client, apply_input, make_campaign, make_customers, post

pytestmark = pytest.mark.concurrency

CREATE = """mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id url events } secret
  userErrors { field code message } } }"""
LOG = """{ webhooks { nodes { deliveries(first: 50) { totalCount nodes { eventId attempts deliveredAt lastError } }
  } } }"""


class Receiver:
    """An endpoint that records what it is sent, and checks each signature."""

    def __init__(self, port: int):
        self.port, self.secret = port, None
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.server = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp, _, digest = self.headers["X-Signature"].partition(",v1=")
                timestamp = timestamp.removeprefix("t=")
                expected = hmac.new(receiver.secret.encode(), f"{timestamp}.".encode() + body,
                                    hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, digest):
                    receiver.bad_signatures += 1
                event = json.loads(body)
                assert event["id"] == self.headers["X-Event-Id"]
                receiver.received.append(event)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def two_servers(database_url):
    with started(database_url, 2, WEBHOOK_ALLOW_PRIVATE_ADDRESSES="true") as urls:
        yield urls


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_receiver_down_mid_sale_gets_every_event_once_it_is_back(two_servers, admin_key):
    receiver = Receiver(free_port())
    receiver.start()

    async def scenario():
        async with api_client(two_servers[0], admin_key) as client:
            created = (await post(client, CREATE, {"i": {"url": f"http://127.0.0.1:{receiver.port}/hook",
                                                         "events": ["BUDGET_THRESHOLD", "EXHAUSTED", "UPDATED"]}}))
            receiver.secret = created["createWebhook"]["secret"]
            customers = await make_customers(client, 10, "hooked")
            campaign = await make_campaign(client, name="hooked", discountFlat="10", discountPercentage=...,
                                           totalBudget="100")
            for customer in customers[:5]:  # 50 %
                await post(client, APPLY, apply_input(campaign["id"], customer))
        return created, customers, campaign

    created, customers, campaign = asyncio.run(scenario())
    assert created["createWebhook"]["userErrors"] == [] and created["createWebhook"]["secret"].startswith("whsec_")
    assert wait_for(lambda: len(receiver.received) == 1), receiver.received
    receiver.stop()

    async def while_down():
        async with api_client(two_servers[1], admin_key) as client:
            for customer in customers[5:]:  # 80, 95 and 100 %, and exhausted
                await post(client, APPLY, apply_input(campaign["id"], customer))
            await post(client, "mutation($id: ID!) { updateCampaign(id: $id, input: {name: \"hooked!\"}) "
                               "{ campaign { id } } }", {"id": campaign["id"]})

    asyncio.run(while_down())
    time.sleep(3)  # several failed posts, on either process
    receiver.start()
    assert wait_for(lambda: len({event["id"] for event in receiver.received}) == 6), receiver.received

    kinds = Counter((event["kind"], event["threshold"]) for event in {e["id"]: e for e in receiver.received}.values())
    assert kinds == Counter({("BUDGET_THRESHOLD", 50): 1, ("BUDGET_THRESHOLD", 80): 1, ("BUDGET_THRESHOLD", 95): 1,
                             ("BUDGET_THRESHOLD", 100): 1, ("EXHAUSTED", None): 1, ("UPDATED", None): 1})
    assert receiver.bad_signatures == 0
    assert all(event["campaignId"] == campaign["id"] for event in receiver.received)
    updated = next(event for event in receiver.received if event["kind"] == "UPDATED")
    assert updated["changes"] == [{"field": "name", "before": "hooked", "after": "hooked!"}]

    async def log():
        async with api_client(two_servers[0], admin_key) as client:
            return (await post(client, LOG, {}))["webhooks"]["nodes"][0]["deliveries"]

    deliveries = asyncio.run(log())
    assert deliveries["totalCount"] == 6
    assert all(delivery["deliveredAt"] for delivery in deliveries["nodes"])
    # Those sent while the receiver was away needed more than one post.
    assert sum(delivery["attempts"] > 1 for delivery in deliveries["nodes"]) >= 5
    receiver.stop()
