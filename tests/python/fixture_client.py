"""Autobahn|Python (Debian python3-autobahn, asyncio) client for the Crossbar-format fixtures
(tests/fixtures/crossbar): what a Crossbar user's client does against those nodes.

Usage: /usr/bin/python3 fixture_client.py <ws-url> <realm> <scenario>
Prints one JSON line {"ok": true, "result": {...}} on stdout (tests/crossbar_fixtures_test.ts).
"""
import asyncio
import json
import sys
import traceback

from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.asyncio.wamp import ApplicationSession
from autobahn.wamp import types
from autobahn.wamp.exception import ApplicationError

URL, REALM, SCENARIO = sys.argv[1:4]


class Client(ApplicationSession):
    def __init__(self, config, joined):
        super().__init__(config)
        self._joined_future = joined

    def onJoin(self, details):
        self._joined_future.set_result((self, details))

    def onLeave(self, details):
        self.disconnect()


async def open_session():
    loop = asyncio.get_running_loop()
    joined = loop.create_future()
    factory = WampWebSocketClientFactory(
        lambda: Client(types.ComponentConfig(realm=REALM), joined), url=URL
    )
    host, port = URL.split("//")[1].split("/")[0].split(":")
    await loop.create_connection(factory, host, int(port))
    return await asyncio.wait_for(joined, 10)


async def pubsub_rpc():
    session, details = await open_session()
    got = asyncio.get_running_loop().create_future()
    await session.subscribe(lambda msg: got.done() or got.set_result(msg), "com.example.pong")
    add = await session.call("com.example.add2", 2, 3)
    try:
        await session.call("com.example.divide", 1, 0)
        div_error = None
    except ApplicationError as e:
        div_error = {"error": e.error, "args": list(e.args), "kwargs": e.kwargs}
    who = await session.call("com.example.whoami")
    fn = await session.call("com.example.fn_ping")
    session.publish("com.example.ping", "hi", options=types.PublishOptions(exclude_me=False))
    pong = await asyncio.wait_for(got, 10)
    heard = await session.call("com.example.heard")
    try:
        await session.register(lambda: 0, "com.example.mine")
        register_error = None
    except ApplicationError as e:
        register_error = e.error
    session.leave()
    return {
        "session": details.session,
        "authrole": details.authrole,
        "add": add,
        "div_error": div_error,
        "whoami": who,
        "fn": fn,
        "pong": pong,
        "heard": heard,
        "register_error": register_error,
    }


SCENARIOS = {"pubsub_rpc": pubsub_rpc}


async def main():
    try:
        result = await asyncio.wait_for(SCENARIOS[SCENARIO](), 30)
        print(json.dumps({"ok": True, "result": result}), flush=True)
    except Exception:
        print(json.dumps({"ok": False, "error": traceback.format_exc()}), flush=True)


asyncio.run(main())
