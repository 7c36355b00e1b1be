"""Autobahn|Python (Debian python3-autobahn, asyncio) authenticating to a router
and trying actions, for xbar's authentication end-to-end tests.

Usage: /usr/bin/python3 auth_client.py '<spec json>'
  spec: {url, realm, serializer?: "json"|"msgpack"|"cbor",
         auth: {method: "wampcra", authid, secret}   (secret: the key, or the password when salted)
             | {method: "cryptosign", authid?, seed} (seed: 32 bytes hex)
             | {method: "ticket", authid, ticket} | {method: "anonymous"},
         actions: [{action: "call"|"register"|"publish"|"subscribe", uri}]}
Prints one JSON line:
  {"ok": true, "result": {"welcome": {...}, "outcomes": ["ok" | <error uri>, ...], "values": [...]}}
  {"ok": true, "result": {"abort": <reason uri>, "message": <text>}}
  {"ok": false, "error": <text>}
"""
import asyncio
import binascii
import json
import sys
import traceback

from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.asyncio.wamp import ApplicationSession
from autobahn.wamp import auth, types
from autobahn.wamp.cryptosign import CryptosignKey
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer

SPEC = json.loads(sys.argv[1])
SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}


class Client(ApplicationSession):
    def __init__(self, config, outcome):
        super().__init__(config)
        self._outcome = outcome
        a = SPEC["auth"]
        self._key = None
        if a["method"] == "cryptosign":
            self._key = CryptosignKey.from_bytes(binascii.a2b_hex(a["seed"]))

    def onConnect(self):
        a = SPEC["auth"]
        method = a["method"]
        if method == "anonymous":
            self.join(SPEC["realm"])
        elif method == "cryptosign":
            self.join(SPEC["realm"], authmethods=["cryptosign"], authid=a.get("authid"),
                      authextra={"pubkey": self._key.public_key()})
        else:
            self.join(SPEC["realm"], authmethods=[method], authid=a["authid"])

    def onChallenge(self, challenge):
        a = SPEC["auth"]
        if challenge.method == "ticket":
            return a["ticket"]
        if challenge.method == "wampcra":
            extra = challenge.extra
            key = a["secret"]
            if "salt" in extra:
                key = auth.derive_key(a["secret"], extra["salt"], extra.get("iterations", 1000),
                                      extra.get("keylen", 32))
            return auth.compute_wcs(key, extra["challenge"]).decode("ascii")
        if challenge.method == "cryptosign":
            return self._key.sign_challenge(challenge)
        raise Exception("unexpected challenge " + challenge.method)

    def onJoin(self, details):
        if not self._outcome.done():
            self._outcome.set_result(("joined", self, details))

    def onLeave(self, details):
        if not self._outcome.done():
            self._outcome.set_result(("abort", details.reason, details.message))
        self.disconnect()


async def attempt(session, action, uri):
    try:
        if action == "call":
            v = await session.call(uri)
            return "ok", v
        if action == "register":
            reg = await session.register(lambda *a, **k: None, uri)
            await reg.unregister()
            return "ok", None
        if action == "publish":
            await session.publish(uri, options=types.PublishOptions(acknowledge=True))
            return "ok", None
        if action == "subscribe":
            sub = await session.subscribe(lambda *a, **k: None, uri)
            await sub.unsubscribe()
            return "ok", None
        raise Exception("unknown action " + action)
    except ApplicationError as e:
        return e.error, None


async def main():
    loop = asyncio.get_running_loop()
    outcome = loop.create_future()
    factory = WampWebSocketClientFactory(
        lambda: Client(types.ComponentConfig(realm=SPEC["realm"]), outcome),
        url=SPEC["url"],
        serializers=[SERIALIZERS[SPEC.get("serializer", "json")]()],
    )
    host, port = SPEC["url"].split("//")[1].split("/")[0].split(":")
    transport, _ = await loop.create_connection(factory, host, int(port))
    got = await asyncio.wait_for(outcome, 10)
    if got[0] == "abort":
        transport.close()
        return {"abort": got[1], "message": got[2]}
    _, session, details = got
    outcomes, values = [], []
    for a in SPEC.get("actions", []):
        o, v = await attempt(session, a["action"], a["uri"])
        outcomes.append(o)
        values.append(v)
    await session.leave()
    transport.close()
    return {
        "welcome": {
            "authid": details.authid,
            "authrole": details.authrole,
            "authmethod": details.authmethod,
            "authprovider": details.authprovider,
            "authextra": details.authextra,
        },
        "outcomes": outcomes,
        "values": values,
    }


try:
    result = asyncio.run(asyncio.wait_for(main(), 15))
    print(json.dumps({"ok": True, "result": result}))
except Exception:
    print(json.dumps({"ok": False, "error": traceback.format_exc()}))
    sys.exit(1)
