"""Autobahn|Python (Debian python3-autobahn, asyncio) scenarios against a running router.

Usage: /usr/bin/python3 scenarios.py <ws-url> <realm> <json|msgpack|cbor> <scenario> [websocket]
       /usr/bin/python3 scenarios.py <tcp://host:port | unix:/path> <realm> <ser> <scenario> rawsocket
The optional 5th argument is the transport: "websocket" (default) or "rawsocket"
(autobahn.asyncio.rawsocket over TCP or a Unix socket).
Prints one JSON line {"ok": true, "result": {...}} on stdout; the Deno tests
(tests/interop_autobahn_python_test.ts, tests/interop_rawsocket_test.ts) assert the observations.
"""
import asyncio
import json
import sys
import traceback

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.asyncio.wamp import ApplicationSession
from autobahn.wamp import types
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer

URL, REALM, SER, SCENARIO = sys.argv[1:5]
TRANSPORT = sys.argv[5] if len(sys.argv) > 5 else "websocket"
SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}


def patch_asyncio_rawsocket():
    """Work around a client bug in Debian's python3-autobahn 22.7.1.

    Its asyncio RawSocket protocol lacks the `transport_details` property of
    ITransport (the WebSocket and Twisted RawSocket protocols have it), so
    ApplicationSession fails on every WELCOME (wamp/protocol.py:605,
    "AttributeError: 'WampRawSocketClientProtocol' object has no attribute
    'transport_details'") and ABORTs with wamp.error.cannot_authenticate
    "Error calling onWelcome handler": no asyncio RawSocket client can join
    any router. Upstream: crossbario/autobahn-python#1592, fixed by #1593
    (after 22.7.1). The protocol already computes the details in
    connection_made (`self._transport_details`); this exposes them, as the
    fix does. Applied only when the property is missing.
    """
    from autobahn.asyncio import rawsocket

    if not hasattr(rawsocket.PrefixProtocol, "transport_details"):
        rawsocket.PrefixProtocol.transport_details = property(lambda self: self._transport_details)


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
    make_session = lambda: Client(types.ComponentConfig(realm=REALM), joined)  # noqa: E731
    if TRANSPORT == "websocket":
        factory = WampWebSocketClientFactory(make_session, url=URL, serializers=[SERIALIZERS[SER]()])
        host, port = URL.split("//")[1].split("/")[0].split(":")
        await loop.create_connection(factory, host, int(port))
    elif TRANSPORT == "rawsocket":
        patch_asyncio_rawsocket()
        factory = WampRawSocketClientFactory(make_session, serializer=SERIALIZERS[SER]())
        if URL.startswith("unix:"):
            await loop.create_unix_connection(factory, URL[len("unix:"):])
        elif URL.startswith("tcp://"):
            host, port = URL[len("tcp://"):].rsplit(":", 1)
            await loop.create_connection(factory, host, int(port))
        else:
            raise ValueError("rawsocket address must be tcp://host:port or unix:/path, got " + URL)
    else:
        raise ValueError("unknown transport " + TRANSPORT)
    return await asyncio.wait_for(joined, 5)


async def failure(coro):
    try:
        v = await coro
        return {"unexpected": repr(v)}
    except ApplicationError as e:
        return {"error": e.error, "args": list(e.args), "kwargs": e.kwargs}


async def rpc():
    callee, _ = await open_session()
    caller, welcome = await open_session()

    def add(a, b):
        return a + b

    def fail():
        raise ApplicationError("com.example.error.bad", "nope", code=7)

    async def count(n, details=None):
        for i in range(n):
            if details.progress:
                details.progress(i)
        return "done"

    await callee.register(add, "com.example.add")
    await callee.register(fail, "com.example.fail")
    await callee.register(count, "com.example.count", options=types.RegisterOptions(details_arg="details"))
    progress = []
    res = {
        "sum": await caller.call("com.example.add", 2, 3),
        "big": await caller.call("com.example.add", 2 ** 52, 1),
        "err": await failure(caller.call("com.example.fail")),
        "missing": (await failure(caller.call("com.example.missing")))["error"],
        "progressive": await caller.call(
            "com.example.count", 3, options=types.CallOptions(on_progress=lambda i: progress.append(i))
        ),
        "authrole": welcome.authrole,
    }
    res["progress"] = progress
    callee.leave()
    caller.leave()
    await asyncio.sleep(0.05)
    return res


async def pubsub():
    pub, _ = await open_session()
    sub, _ = await open_session()
    got = []
    pat = []

    def on_event(*args, **kwargs):
        got.append([list(args), kwargs])

    def on_pattern(*args, details=None, **kwargs):
        pat.append(details.topic)

    await sub.subscribe(on_event, "com.example.topic")
    await sub.subscribe(on_pattern, "com.example.", options=types.SubscribeOptions(match="prefix", details_arg="details"))
    ack = await pub.publish("com.example.topic", 1, "two", k=3, options=types.PublishOptions(acknowledge=True))
    await pub.publish("com.example.other", options=types.PublishOptions(acknowledge=True))
    for _ in range(200):
        if len(got) >= 1 and len(pat) >= 2:
            break
        await asyncio.sleep(0.01)
    res = {"ack": ack.id > 0, "got": got, "pattern": sorted(pat)}
    pub.leave()
    sub.leave()
    await asyncio.sleep(0.05)
    return res


async def cancel():
    callee, _ = await open_session()
    caller, _ = await open_session()
    interrupted = []

    async def slow():
        try:
            await asyncio.sleep(5)
            return "late"
        except asyncio.CancelledError:
            interrupted.append(True)
            raise

    await callee.register(slow, "com.example.slow")
    # dealer-side timeout
    timed_out = await failure(caller.call("com.example.slow", options=types.CallOptions(timeout=200)))
    # caller cancel (killnowait): the callee gets INTERRUPT
    d = asyncio.ensure_future(caller.call("com.example.slow"))
    await asyncio.sleep(0.1)
    d.cancel()
    try:
        await d
        canceled = "no"
    except asyncio.CancelledError:
        canceled = "cancelled"
    except ApplicationError as e:
        canceled = e.error
    for _ in range(100):
        if len(interrupted) >= 1:
            break
        await asyncio.sleep(0.01)
    res = {"timeout": timed_out.get("error"), "canceled": canceled, "interrupted": len(interrupted) >= 1}
    callee.leave()
    caller.leave()
    await asyncio.sleep(0.05)
    return res


async def main():
    fn = {"rpc": rpc, "pubsub": pubsub, "cancel": cancel}[SCENARIO]
    result = await asyncio.wait_for(fn(), 15)
    print(json.dumps({"ok": True, "result": result}), flush=True)


try:
    asyncio.run(main())
except Exception:
    print(json.dumps({"ok": False, "error": traceback.format_exc()}), flush=True)
    sys.exit(1)
