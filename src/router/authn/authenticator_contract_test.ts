/**
 * The contract every authentication method keeps (GUIDE habit 3): right
 * credentials join with the expected role; wrong secret, unknown authid,
 * wrong method, replayed or malformed AUTHENTICATE never produce WELCOME;
 * secrets never reach the log.
 */

import assert from "node:assert/strict";
import { MessageType as T } from "../../wamp/messages.ts";
import { ErrorUri } from "../../wamp/uris.ts";
import type { Session } from "../../client/session.ts";
import { authRouter, client, handshake, type MethodCase, methodCases, REALM } from "./_test_kit.ts";

const cases = await methodCases();

async function withRouter(
  c: MethodCase,
  fn: (r: ReturnType<typeof authRouter>) => Promise<void>,
): Promise<void> {
  const r = authRouter(c.auth);
  const components: Session[] = c.setup ? await c.setup(r.router) : [];
  try {
    await fn(r);
  } finally {
    for (const s of components) await s.leave();
  }
  const log = JSON.stringify(r.logger.lines);
  for (const secret of c.secrets) {
    assert.ok(!log.includes(secret), `${c.name}: a secret was logged`);
  }
}

function assertAborted(m: unknown[], uri: string, what: string): void {
  assert.equal(m[0], T.ABORT, `${what}: expected ABORT, got ${JSON.stringify(m)}`);
  assert.equal(m[2], uri, what);
}

for (const c of cases) {
  Deno.test(`${c.name}: right credentials join with the expected identity`, async () => {
    await withRouter(c, async ({ router }) => {
      const tc = client(router);
      const { challenge, last } = await handshake(tc, c.hello, c.right);
      assert.equal(challenge?.[1], c.method);
      assert.equal(last[0], T.WELCOME, JSON.stringify(last));
      const d = last[2] as Record<string, unknown>;
      assert.equal(d.realm, REALM);
      assert.equal(d.authid, "alice");
      assert.equal(d.authrole, "frontend");
      assert.equal(d.authmethod, c.method);
      assert.equal(d.authprovider, c.provider);
      tc.disconnect();
    });
  });

  Deno.test(`${c.name}: a wrong secret is aborted with authentication_failed`, async () => {
    await withRouter(c, async ({ router }) => {
      const tc = client(router);
      const { last } = await handshake(tc, c.hello, c.wrong);
      assertAborted(last, ErrorUri.AUTHENTICATION_FAILED, "wrong secret");
      if (c.provider === "static") {
        assert.equal((last[1] as Record<string, unknown>).message, "authentication failed");
      }
      await tc.waitClosed();
    });
  });

  Deno.test(`${c.name}: an unknown principal is aborted${c.provider === "static" ? " after a challenge like any other" : ""}`, async () => {
    await withRouter(c, async ({ router }) => {
      const tc = client(router);
      const { challenge, last } = await handshake(tc, c.unknown, c.right);
      if (c.provider === "static") {
        assert.equal(challenge?.[0], T.CHALLENGE, "static methods must not reveal unknown authids");
      }
      assertAborted(last, ErrorUri.AUTHENTICATION_FAILED, "unknown principal");
      await tc.waitClosed();
    });
  });

  Deno.test(`${c.name}: a client offering only other methods is aborted with no_auth_method`, async () => {
    await withRouter(c, async ({ router }) => {
      for (const authmethods of [["anonymous"], ["bogus", "scram"], [], undefined]) {
        const tc = client(router);
        const details = { ...c.hello, authmethods };
        if (authmethods === undefined) delete details.authmethods;
        const { last } = await handshake(tc, details, c.right);
        assertAborted(last, ErrorUri.NO_AUTH_METHOD, JSON.stringify(authmethods));
        await tc.waitClosed();
      }
    });
  });

  Deno.test(`${c.name}: the method is chosen in the client's order among configured ones`, async () => {
    await withRouter(c, async ({ router }) => {
      const tc = client(router);
      const { challenge, last } = await handshake(
        tc,
        { ...c.hello, authmethods: ["bogus", c.method, "anonymous"] },
        c.right,
      );
      assert.equal(challenge?.[1], c.method);
      assert.equal(last[0], T.WELCOME);
      tc.disconnect();
    });
  });

  if (!c.replayable) {
    Deno.test(`${c.name}: a signature replayed on a new handshake is aborted`, async () => {
      await withRouter(c, async ({ router }) => {
        const first = client(router);
        const ok = await handshake(first, c.hello, c.right);
        assert.equal(ok.last[0], T.WELCOME);
        const second = client(router);
        const { last } = await handshake(second, c.hello, () => ok.signature!);
        assertAborted(last, ErrorUri.AUTHENTICATION_FAILED, "replayed signature");
        first.disconnect();
      });
    });
  }

  Deno.test(`${c.name}: AUTHENTICATE after WELCOME or before HELLO is a protocol violation`, async () => {
    await withRouter(c, async ({ router }) => {
      const tc = client(router);
      const ok = await handshake(tc, c.hello, c.right);
      assert.equal(ok.last[0], T.WELCOME);
      tc.send([T.AUTHENTICATE, ok.signature, {}]);
      assertAborted(await tc.next(), ErrorUri.PROTOCOL_VIOLATION, "after WELCOME");
      await tc.waitClosed();

      const early = client(router);
      early.send([T.AUTHENTICATE, ok.signature, {}]);
      assertAborted(await early.next(), ErrorUri.PROTOCOL_VIOLATION, "before HELLO");
      await early.waitClosed();
    });
  });

  Deno.test(`${c.name}: a second AUTHENTICATE right behind a wrong one never yields WELCOME`, async () => {
    await withRouter(c, async ({ router }) => {
      const tc = client(router);
      tc.send([T.HELLO, REALM, { roles: { caller: {} }, ...c.hello }]);
      const ch = await tc.next();
      assert.equal(ch[0], T.CHALLENGE);
      tc.send([T.AUTHENTICATE, await c.wrong(ch[1], ch[2]), {}]);
      tc.send([T.AUTHENTICATE, await c.right(ch[1], ch[2]), {}]);
      assertAborted(await tc.next(), ErrorUri.AUTHENTICATION_FAILED, "first answer");
      await tc.waitClosed();
      assert.equal(tc.received.length, 0, "nothing after the ABORT");
    });
  });

  Deno.test(`${c.name}: malformed AUTHENTICATE is aborted`, async () => {
    await withRouter(c, async ({ router }) => {
      for (
        const sig of [
          "",
          "zz",
          "not hex at all",
          "ab".repeat(95),
          "ab".repeat(97),
          "x".repeat(10000),
        ]
      ) {
        const tc = client(router);
        const { last } = await handshake(tc, c.hello, () => sig);
        assertAborted(
          last,
          ErrorUri.AUTHENTICATION_FAILED,
          `signature ${JSON.stringify(sig.slice(0, 20))}`,
        );
        await tc.waitClosed();
      }
      for (
        const bad of [[T.AUTHENTICATE, 42, {}], [T.AUTHENTICATE, "x"], [T.AUTHENTICATE, "x", []]]
      ) {
        const tc = client(router);
        const { challenge } = await handshake(tc, c.hello);
        assert.equal(challenge?.[0], T.CHALLENGE);
        tc.send(bad);
        assertAborted(await tc.next(), ErrorUri.PROTOCOL_VIOLATION, JSON.stringify(bad));
        await tc.waitClosed();
      }
    });
  });
}
