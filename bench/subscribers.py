"""Watchers of a sale for `make bench`: N sockets, each subscribed to the
budget of every campaign named, reading every event until stopped (SIGTERM),
then printing how many they received.

    python bench/subscribers.py BASE_URL KEY SOCKETS CAMPAIGN_ID...
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from websockets.asyncio.client import connect

BUDGET = "subscription($id: ID!) { campaignBudget(id: $id) { usedBudget } }"


async def watch(url: str, key: str, campaigns: list[str], counts: list[int], index: int, ready: asyncio.Event,
                opened: list[int], sockets: int) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        for n, campaign in enumerate(campaigns):
            await socket.send(json.dumps({"id": str(n), "type": "subscribe",
                                          "payload": {"query": BUDGET, "variables": {"id": campaign}}}))
        opened[0] += 1
        if opened[0] == sockets:
            ready.set()
        async for _message in socket:
            counts[index] += 1


async def main() -> None:
    base, key, sockets, *campaigns = sys.argv[1:]
    url = base.replace("http://", "ws://") + "/graphql"
    counts, opened, ready, stop = [0] * int(sockets), [0], asyncio.Event(), asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    tasks = [asyncio.create_task(watch(url, key, campaigns, counts, n, ready, opened, int(sockets)))
             for n in range(int(sockets))]
    await ready.wait()
    await asyncio.sleep(1)  # the subscriptions are registered
    print("ready", flush=True)
    await stop.wait()
    for task in tasks:
        task.cancel()
    print(json.dumps({"events": sum(counts)}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
