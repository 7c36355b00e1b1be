"""A guest worker for tests/node_components_test.ts: Autobahn|Python (Debian's
python3-autobahn, asyncio) that joins a router and serves one procedure.

Usage (as the node runs it): /usr/bin/python3 guest_callee.py <ws-url> <realm>
Reads one JSON line from stdin ({"greeting": "..."}, the guest's configured
stdin), registers com.example.guest.greet(name) -> "<greeting>, <name>", and
prints "guest ready" on stdout (which the node logs). Runs until killed or the
connection is lost.
"""
import asyncio
import json
import sys

from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp import types
from autobahn.wamp.serializer import JsonSerializer

URL, REALM = sys.argv[1:3]
CONFIG = json.loads(sys.stdin.readline() or "{}")


class Guest(ApplicationSession):
    async def onJoin(self, details):
        greeting = CONFIG.get("greeting", "hello")

        def greet(name):
            return f"{greeting}, {name}"

        await self.register(greet, "com.example.guest.greet")
        print("guest ready", flush=True)

    def onLeave(self, details):
        self.disconnect()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    factory = WampWebSocketClientFactory(
        lambda: Guest(types.ComponentConfig(realm=REALM)),
        url=URL,
        serializers=[JsonSerializer()],
    )
    host, port = URL.split("//")[1].split("/")[0].split(":")
    loop.run_until_complete(loop.create_connection(factory, host, int(port)))
    loop.run_forever()


if __name__ == "__main__":
    main()
