"""An Autobahn|Python (Debian python3-autobahn, asyncio) session driven line by line.

For tests that place clients on chosen router workers and make them act in turns
(tests/_agent.ts drives it; tests/node/agent.mjs is the AutobahnJS twin, same protocol).

Usage: /usr/bin/python3 agent.py <ws-url | tcp://host:port | unix:/path> <realm> <json|msgpack|cbor> <name>
stdout: one JSON object per line: {"event": "joined", "session": id} once joined, then replies
{"id", "ok": true, "result"} / {"id", "ok": false, "error": {error, args, kwargs}} to commands and
unsolicited {"event": "event" | "invoked" | "left", ...}.
stdin: one command per line: {"id", "op": "register" | "call" | "subscribe" | "publish" | "leave", ...}.
The process exits when stdin closes or the session is gone.
"""
import asyncio
import json
import sys

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.asyncio.wamp import ApplicationSession
from autobahn.wamp import types
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer

URL, REALM, SER, NAME = sys.argv[1:5]
SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def patch_asyncio_rawsocket():
    """Debian's 22.7.1 asyncio RawSocket protocol lacks `transport_details` (see scenarios.py)."""
    from autobahn.asyncio import rawsocket

    if not hasattr(rawsocket.PrefixProtocol, "transport_details"):
        rawsocket.PrefixProtocol.transport_details = property(lambda self: self._transport_details)


class Agent(ApplicationSession):
    def __init__(self, config, joined, gone):
        super().__init__(config)
        self._joined_future = joined
        self._gone = gone

    def onJoin(self, details):
        self._joined_future.set_result(self)

    def onLeave(self, details):
        say({"event": "left", "reason": details.reason, "details": {"message": details.message}})
        self.disconnect()

    def onDisconnect(self):
        if not self._gone.done():
            self._gone.set_result(None)


def as_result(v):
    if isinstance(v, types.CallResult):
        return {"args": list(v.results), "kwargs": v.kwresults or {}}
    return {"args": [] if v is None else [v], "kwargs": {}}


def as_error(e):
    if isinstance(e, ApplicationError):
        return {"error": e.error, "args": list(e.args), "kwargs": e.kwargs or {}}
    return {"error": "agent.error", "args": [repr(e)], "kwargs": {}}


def procedure(kind, uri):
    if kind == "add":
        def add(a, b, **kwargs):
            return types.CallResult(a + b, got=kwargs)
        return add
    if kind == "fail":
        def fail(*args, **kwargs):
            raise ApplicationError("com.example.error.bad", "nope", code=7)
        return fail
    if kind == "name":
        return lambda *args, **kwargs: NAME
    if kind == "hang":
        async def hang(*args, details=None, **kwargs):
            say({"event": "invoked", "uri": uri, "caller": details.caller if details else None})
            await asyncio.get_running_loop().create_future()
        return hang
    raise ValueError("unknown procedure kind " + str(kind))


async def run(session, c):
    op = c["op"]
    if op == "register":
        opts = dict(c.get("options") or {})
        kind = c["kind"]
        if kind == "hang":
            opts["details_arg"] = "details"
        reg = await session.register(procedure(kind, c["uri"]), c["uri"], options=types.RegisterOptions(**opts))
        return {"registration": reg.id}
    if op == "call":
        v = await session.call(c["uri"], *(c.get("args") or []), **(c.get("kwargs") or {}))
        return as_result(v)
    if op == "subscribe":
        topic = c["topic"]

        def on_event(*args, details=None, **kwargs):
            say({"event": "event", "topic": details.topic or topic, "args": list(args), "kwargs": kwargs,
                 "publisher": details.publisher})

        opts = dict(c.get("options") or {})
        opts["details_arg"] = "details"
        sub = await session.subscribe(on_event, topic, options=types.SubscribeOptions(**opts))
        return {"subscription": sub.id}
    if op == "publish":
        opts = c.get("options") or {}
        p = await session.publish(c["topic"], *(c.get("args") or []), options=types.PublishOptions(**opts),
                                  **(c.get("kwargs") or {}))
        return {"publication": p.id} if p else {}
    if op == "leave":
        session.leave()
        return {}
    raise ValueError("unknown op " + str(op))


async def handle(session, c):
    try:
        say({"id": c["id"], "ok": True, "result": await run(session, c)})
    except Exception as e:  # noqa: BLE001 - every failure is reported to the driver
        say({"id": c["id"], "ok": False, "error": as_error(e)})


async def main():
    loop = asyncio.get_running_loop()
    joined = loop.create_future()
    gone = loop.create_future()
    make = lambda: Agent(types.ComponentConfig(realm=REALM), joined, gone)  # noqa: E731
    if URL.startswith("ws://"):
        factory = WampWebSocketClientFactory(make, url=URL, serializers=[SERIALIZERS[SER]()])
        host, port = URL.split("//")[1].split("/")[0].split(":")
        await loop.create_connection(factory, host, int(port))
    else:
        patch_asyncio_rawsocket()
        factory = WampRawSocketClientFactory(make, serializer=SERIALIZERS[SER]())
        if URL.startswith("unix:"):
            await loop.create_unix_connection(factory, URL[len("unix:"):])
        else:
            host, port = URL[len("tcp://"):].rsplit(":", 1)
            await loop.create_connection(factory, host, int(port))
    session = await asyncio.wait_for(joined, 10)
    say({"event": "joined", "session": session._session_id})
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks = set()

    async def commands():
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.strip():
                t = asyncio.ensure_future(handle(session, json.loads(line)))
                tasks.add(t)
                t.add_done_callback(tasks.discard)

    await asyncio.wait([asyncio.ensure_future(commands()), gone], return_when=asyncio.FIRST_COMPLETED)


if __name__ == "__main__":
    asyncio.run(main())
