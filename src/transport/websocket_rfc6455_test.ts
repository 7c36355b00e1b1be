/**
 * RFC 6455 server conformance, frame by frame, against the real listener
 * (`serveWebSocket`, our framing) over real sockets: what the Autobahn
 * fuzzingclient checks (not installable here), as cases built from the RFC:
 * framing, fragmentation, control frames between fragments, masking,
 * reserved bits and opcodes, close codes and payloads, UTF-8 (also across
 * fragments), size limits, ping/pong, permessage-deflate with bounded
 * inflation, and the receive budget. Plus the memory bound of issue 9.6 on a
 * real worker process.
 *
 * @module
 */

import assert from "node:assert/strict";
import zlib from "node:zlib";
import type { Peer, SessionAcceptor, SessionHandle } from "../router/peer.ts";
import type { RouterMessage } from "../wamp/messages.ts";
import { serveWebSocket, type ServeWebSocketOptions } from "./websocket_server.ts";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** Echoes every message back; records violations. */
class EchoAcceptor implements SessionAcceptor {
  violations: string[] = [];
  attach(peer: Peer): SessionHandle {
    return {
      receive: (v) => peer.send(v as RouterMessage),
      protocolViolation: (m) => {
        this.violations.push(m);
        peer.close();
      },
      overflow: () => {},
      closed: () => {},
    };
  }
}

/** A raw client: writes frames byte by byte as the test says, reads frames back. */
class RawClient {
  buf = new Uint8Array(0);
  constructor(readonly conn: Deno.Conn) {}

  static async open(port: number, extra = ""): Promise<{ c: RawClient; head: string }> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(
      new TextEncoder().encode(
        `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Protocol: wamp.2.json\r\n${extra}\r\n`,
      ),
    );
    const c = new RawClient(conn);
    let text = "";
    while (!text.includes("\r\n\r\n")) {
      await c.#more();
      text = new TextDecoder().decode(c.buf);
    }
    const end = text.indexOf("\r\n\r\n") + 4;
    c.buf = c.buf.slice(end);
    return { c, head: text.slice(0, end) };
  }

  async #more(): Promise<boolean> {
    const chunk = new Uint8Array(65536);
    const n = await this.conn.read(chunk).catch(() => null);
    if (n === null) return false;
    const b = new Uint8Array(this.buf.length + n);
    b.set(this.buf);
    b.set(chunk.subarray(0, n), this.buf.length);
    this.buf = b;
    return true;
  }

  send(bytes: Uint8Array): Promise<number> {
    return this.conn.write(bytes).catch(() => 0);
  }

  /** The next frame from the server, or undefined at EOF. */
  async frame(): Promise<
    { op: number; fin: boolean; rsv1: boolean; payload: Uint8Array } | undefined
  > {
    for (;;) {
      const b = this.buf;
      if (b.length >= 2) {
        let len = b[1] & 0x7f;
        let h = 2;
        if (len === 126) [len, h] = [(b[2] << 8) | b[3], 4];
        else if (len === 127) {
          [len, h] = [new DataView(b.buffer, b.byteOffset + 6).getUint32(0), 10];
        }
        if (b.length >= h + len) {
          this.buf = b.slice(h + len);
          return {
            op: b[0] & 15,
            fin: (b[0] & 0x80) !== 0,
            rsv1: (b[0] & 0x40) !== 0,
            payload: b.slice(h, h + len),
          };
        }
      }
      if (!(await this.#more())) return undefined;
    }
  }

  /** Reads frames until a close; returns its code (1005 when none), or 1006 at EOF without one. */
  async closeCode(): Promise<number> {
    for (;;) {
      const f = await this.frame();
      if (f === undefined) return 1006;
      if (f.op === 8) return f.payload.length >= 2 ? (f.payload[0] << 8) | f.payload[1] : 1005;
    }
  }

  /** Reads until EOF; true when the server closed the TCP connection. */
  async eof(): Promise<boolean> {
    while (await this.#more()) { /* drain */ }
    return true;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed
    }
  }
}

/** A client frame: masked (unless `masked: false`), FIN unless `fin: false`. */
function frame(
  op: number,
  payload: Uint8Array | string,
  o: { fin?: boolean; rsv?: number; masked?: boolean; len?: number } = {},
): Uint8Array {
  const data = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const n = o.len ?? data.length;
  const masked = o.masked ?? true;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const out = new Uint8Array(2 + ext + (masked ? 4 : 0) + data.length);
  out[0] = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | op;
  out[1] = (masked ? 0x80 : 0) | (n < 126 ? n : n < 65536 ? 126 : 127);
  if (ext === 2) [out[2], out[3]] = [n >>> 8, n & 255];
  if (ext === 8) new DataView(out.buffer).setUint32(6, n);
  let at = 2 + ext;
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  if (masked) {
    out.set(mask, at);
    at += 4;
  }
  for (let i = 0; i < data.length; i++) out[at + i] = masked ? data[i] ^ mask[i & 3] : data[i];
  return out;
}

const closePayload = (code: number, reason = "") => {
  const r = new TextEncoder().encode(reason);
  const p = new Uint8Array(2 + r.length);
  p[0] = code >>> 8;
  p[1] = code & 255;
  p.set(r, 2);
  return p;
};

async function withEcho(
  options: Partial<ServeWebSocketOptions>,
  fn: (port: number, acceptor: EchoAcceptor) => Promise<void>,
): Promise<void> {
  const acceptor = new EchoAcceptor();
  const server = await serveWebSocket(acceptor, {
    hostname: "127.0.0.1",
    port: 0,
    shutdownGraceMs: 500,
    closeTimeoutMs: 500,
    ...options,
  });
  try {
    await fn(server.addr.port, acceptor);
  } finally {
    await server.shutdown();
  }
}

/** Sends `bytes` and expects a close with `code`, then the TCP close. */
function expectClose(
  bytes: Uint8Array[],
  code: number,
  options: Partial<ServeWebSocketOptions> = {},
) {
  return withEcho(options, async (port) => {
    const { c } = await RawClient.open(port);
    try {
      for (const b of bytes) await c.send(b);
      assert.equal(await c.closeCode(), code);
      await c.send(frame(8, closePayload(1000)));
      assert.ok(await c.eof());
    } finally {
      c.close();
    }
  });
}

const MSG = '["x"]';

Deno.test("RFC 6455: the handshake answers 101 with the accept key of section 1.3", async () => {
  await withEcho({}, async (port) => {
    const { c, head } = await RawClient.open(port);
    c.close();
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
    assert.match(head, /sec-websocket-protocol: wamp\.2\.json\r\n/i);
  });
});

Deno.test("RFC 6455: text messages in one frame, split byte by byte, and fragmented are echoed whole", async () => {
  await withEcho({}, async (port) => {
    const { c } = await RawClient.open(port);
    try {
      await c.send(frame(1, MSG));
      assert.equal(new TextDecoder().decode((await c.frame())!.payload), MSG);
      for (const b of frame(1, '["split"]')) await c.send(new Uint8Array([b]));
      assert.equal(new TextDecoder().decode((await c.frame())!.payload), '["split"]');
      await c.send(frame(1, '["fr', { fin: false }));
      await c.send(frame(9, "ping in between")); // a control frame between fragments
      await c.send(frame(0, "agm", { fin: false }));
      await c.send(frame(0, 'ent"]'));
      const pong = (await c.frame())!;
      assert.equal(pong.op, 10);
      assert.equal(new TextDecoder().decode(pong.payload), "ping in between");
      const whole = (await c.frame())!;
      assert.equal(whole.op, 1);
      assert.equal(new TextDecoder().decode(whole.payload), '["fragment"]');
      const big = JSON.stringify(["y".repeat(200_000)]); // 64-bit length, streamed in pieces
      await c.send(frame(1, big));
      assert.equal(new TextDecoder().decode((await c.frame())!.payload), big);
    } finally {
      c.close();
    }
  });
});

Deno.test("RFC 6455: ping gets a pong with the same payload; an unsolicited pong is ignored", async () => {
  await withEcho({}, async (port) => {
    const { c } = await RawClient.open(port);
    try {
      await c.send(frame(10, "unsolicited"));
      await c.send(frame(9, "abc"));
      const f = (await c.frame())!;
      assert.deepEqual([f.op, new TextDecoder().decode(f.payload)], [10, "abc"]);
    } finally {
      c.close();
    }
  });
});

Deno.test("RFC 6455: a client close is echoed with its code and the server closes TCP", async () => {
  for (const code of [1000, 1001, 3000, 4999]) {
    await expectClose([frame(8, closePayload(code, "bye"))], code);
  }
  await expectClose([frame(8, new Uint8Array(0))], 1000);
});

Deno.test("RFC 6455: protocol errors close with 1002", async () => {
  const cases: [string, Uint8Array[]][] = [
    ["unmasked frame", [frame(1, MSG, { masked: false })]],
    ["RSV1 without an extension", [frame(1, MSG, { rsv: 4 })]],
    ["RSV2", [frame(1, MSG, { rsv: 2 })]],
    ["RSV3", [frame(1, MSG, { rsv: 1 })]],
    ["reserved data opcode 3", [frame(3, MSG)]],
    ["reserved control opcode 11", [frame(11, "")]],
    ["fragmented ping", [frame(9, "x", { fin: false })]],
    ["ping over 125 octets", [frame(9, "p".repeat(126))]],
    ["continuation without a start", [frame(0, MSG)]],
    ["new message inside a fragmented one", [frame(1, "[", { fin: false }), frame(1, MSG)]],
    ["close of one octet", [frame(8, new Uint8Array([3]))]],
    ["close code 1005", [frame(8, closePayload(1005))]],
    ["close code 999", [frame(8, closePayload(999))]],
    ["close code 1004", [frame(8, closePayload(1004))]],
    ["close code 1015", [frame(8, closePayload(1015))]],
    ["close code 2999", [frame(8, closePayload(2999))]],
    ["close code 5000", [frame(8, closePayload(5000))]],
  ];
  for (const [name, bytes] of cases) {
    await expectClose(bytes, 1002).catch((err) => {
      throw new Error(`${name}: ${err}`);
    });
  }
});

Deno.test("RFC 6455: invalid UTF-8 closes with 1007, also across fragments and in a close reason", async () => {
  const bad = new Uint8Array([
    0x5b,
    0x22,
    0xce,
    0xba,
    0xe1,
    0xbd,
    0xb9,
    0xcf,
    0x83,
    0xed,
    0xa0,
    0x80,
    0x22,
    0x5d,
  ]); // a surrogate
  await expectClose([frame(1, bad)], 1007);
  // Fails at the bad fragment, before the message ends.
  await expectClose([frame(1, new Uint8Array([0x5b, 0x22, 0xf4, 0x90]), { fin: false })], 1007);
  // A code point split across fragments is fine...
  await withEcho({}, async (port) => {
    const { c } = await RawClient.open(port);
    try {
      const text = new TextEncoder().encode('["κ"]');
      await c.send(frame(1, text.subarray(0, 3), { fin: false }));
      await c.send(frame(0, text.subarray(3)));
      assert.equal(new TextDecoder().decode((await c.frame())!.payload), '["κ"]');
    } finally {
      c.close();
    }
  });
  // ...a message that ends in the middle of one is not.
  await expectClose([frame(1, new Uint8Array([0x5b, 0x22, 0xce]))], 1007);
  const reason = new Uint8Array([0x03, 0xe8, 0xff, 0xfe]);
  await expectClose([frame(8, reason)], 1007);
});

Deno.test("RFC 6455: a message over maxMessageSize closes with 1009 from its header, also when fragmented", async () => {
  const options = { maxMessageSize: 1024 };
  // Only the header of a 10 MB frame is sent: refused without waiting for the payload.
  await expectClose([frame(1, new Uint8Array(0), { len: 10_000_000 })], 1009, options);
  await expectClose(
    [frame(1, "[" + "1,".repeat(300), { fin: false }), frame(0, "1,".repeat(300), { fin: false })],
    1009,
    options,
  );
});

Deno.test("RFC 6455: the receive budget of an endpoint bounds the octets held by partial messages (1013)", async () => {
  await withEcho({ maxMessageSize: 100_000, receiveBudget: 150_000 }, async (port) => {
    const a = (await RawClient.open(port)).c;
    const b = (await RawClient.open(port)).c;
    try {
      await a.send(frame(1, "[" + "1,".repeat(45_000), { fin: false })); // 90 kB held
      await a.send(frame(9, "a")); // a's fragment has arrived once its pong is back
      assert.equal((await a.frame())!.op, 10);
      await b.send(frame(1, "[" + "1,".repeat(45_000), { fin: false })); // would be 180 kB
      assert.equal(await b.closeCode(), 1013);
      // a goes on: its message completes.
      await a.send(frame(0, "1]"));
      assert.equal((await a.frame())!.op, 1);
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("RFC 7692: permessage-deflate is negotiated, messages both ways are compressed, a bomb stops at maxMessageSize (1009)", async () => {
  await withEcho({ compression: {}, maxMessageSize: 64 * 1024 }, async (port) => {
    const { c, head } = await RawClient.open(
      port,
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
    );
    try {
      assert.match(
        head,
        /sec-websocket-extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n/i,
      );
      const msg = JSON.stringify(["z".repeat(1000)]);
      const packed = zlib.deflateRawSync(new TextEncoder().encode(msg), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      });
      await c.send(frame(1, packed.subarray(0, packed.length - 4), { rsv: 4 }));
      const back = (await c.frame())!;
      assert.equal(back.rsv1, true);
      const plain = zlib.inflateRawSync(
        new Uint8Array([...back.payload, 0, 0, 0xff, 0xff]),
        { finishFlush: zlib.constants.Z_SYNC_FLUSH },
      );
      assert.equal(new TextDecoder().decode(plain), msg);
      // 10 MB of zeros in ~10 kB: refused once 64 KiB are out.
      const bomb = zlib.deflateRawSync(new Uint8Array(10_000_000), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      });
      await c.send(frame(2, bomb.subarray(0, bomb.length - 4), { rsv: 4 }));
      assert.equal(await c.closeCode(), 1009);
    } finally {
      c.close();
    }
  });
  // Without the option, no extension is announced.
  await withEcho({}, async (port) => {
    const { c, head } = await RawClient.open(
      port,
      "Sec-WebSocket-Extensions: permessage-deflate\r\n",
    );
    c.close();
    assert.doesNotMatch(head, /sec-websocket-extensions/i);
  });
});

Deno.test("RFC 6455: a bad upgrade gets 400/426 and a close, never a crash", async () => {
  await withEcho({}, async (port) => {
    for (
      const [req, status] of [
        ["GET /ws HTTP/1.1\r\nHost: x\r\n\r\n", 426],
        [
          "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
          426,
        ],
        [
          "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n",
          400,
        ],
        ["GARBAGE\r\n\r\n", 400],
        ["GET /other HTTP/1.1\r\n\r\n", 404],
      ] as const
    ) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode(req));
      const buf = new Uint8Array(4096);
      let text = "";
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      conn.close();
      assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), req);
    }
  });
});

// ---------------------------------------------------------------------------
// Crossbar's WebSocket options that map to framing (issue 9 item 8: they were
// accepted and ignored)

Deno.test("max_frame_size (maxFrameSize): a data frame over it closes with 1009 from its header", async () => {
  await withEcho({ maxFrameSize: 100 }, async (port) => {
    const { c } = await RawClient.open(port);
    // Two 80-octet fragments: each frame is within the limit, the message too.
    await c.send(frame(1, JSON.stringify(["x".repeat(74)]).slice(0, 40), { fin: false }));
    await c.send(frame(0, JSON.stringify(["x".repeat(74)]).slice(40)));
    const echoed = await c.frame();
    assert.equal(echoed?.op, 1);
    await c.send(frame(1, JSON.stringify(["x".repeat(200)])));
    assert.equal(await c.closeCode(), 1009);
    c.close();
  });
});

Deno.test("auto_fragment_size (autoFragmentSize): a long message goes out in frames of at most that size", async () => {
  await withEcho({ autoFragmentSize: 64 }, async (port) => {
    const { c } = await RawClient.open(port);
    const text = JSON.stringify(["y".repeat(200)]);
    await c.send(frame(1, text));
    const frames = [];
    for (;;) {
      const f = await c.frame();
      assert.ok(f);
      frames.push(f);
      if (f.fin) break;
    }
    assert.ok(frames.length >= 4, `${frames.length} frames`);
    assert.equal(frames[0].op, 1);
    assert.ok(frames.slice(1).every((f) => f.op === 0), "continuations");
    assert.ok(frames.every((f) => f.payload.length <= 64));
    const joined = new TextDecoder().decode(
      new Uint8Array(frames.flatMap((f) => [...f.payload])),
    );
    assert.equal(joined, text);
    c.close();
  });
});

Deno.test("echo_close_codereason (echoCloseReason): the client's close reason comes back too", async () => {
  for (const echo of [false, true]) {
    await withEcho({ echoCloseReason: echo }, async (port) => {
      const { c } = await RawClient.open(port);
      await c.send(frame(8, closePayload(4000, "bye now")));
      const f = await c.frame();
      assert.equal(f?.op, 8);
      assert.equal((f!.payload[0] << 8) | f!.payload[1], 4000);
      assert.equal(new TextDecoder().decode(f!.payload.subarray(2)), echo ? "bye now" : "");
      c.close();
    });
  }
});

Deno.test("fail_by_drop (failByDrop): a peer that breaks the protocol is dropped without ABORT or close frame", async () => {
  for (const drop of [false, true]) {
    const violations: string[] = [];
    const acceptor: SessionAcceptor = {
      attach(peer: Peer): SessionHandle {
        return {
          receive: () => {},
          protocolViolation: (m) => {
            violations.push(m);
            peer.send([3, { message: m }, "wamp.error.protocol_violation"]);
            peer.close();
          },
          overflow: () => {},
          closed: () => {},
        };
      },
    };
    const server = await serveWebSocket(acceptor, {
      hostname: "127.0.0.1",
      port: 0,
      closeTimeoutMs: 500,
      failByDrop: drop,
    });
    try {
      const { c } = await RawClient.open(server.addr.port);
      await c.send(frame(1, MSG, { masked: false })); // unmasked: 1002
      const frames = [];
      for (let f = await c.frame(); f !== undefined; f = await c.frame()) {
        frames.push(f);
        if (f.op === 8) await c.send(frame(8, closePayload(1002)));
      }
      c.close();
      assert.equal(violations.length, 1, "the router heard the violation");
      if (drop) {
        assert.deepEqual(frames, [], "nothing sent before the drop");
      } else {
        assert.deepEqual(frames.map((f) => f.op), [1, 8], "ABORT, then the close frame");
        assert.match(new TextDecoder().decode(frames[0].payload), /protocol_violation/);
        assert.equal((frames[1].payload[0] << 8) | frames[1].payload[1], 1002);
      }
    } finally {
      await server.shutdown();
    }
  }
});

Deno.test("RFC 7692 client context takeover: Node's ws client compresses against its previous messages; every echo is intact", async () => {
  const script = fileURLToPath(new URL("../../tests/node/deflate_client.mjs", import.meta.url));
  for (const takeover of [false, true]) {
    await withEcho({ compression: { clientContextTakeover: takeover } }, async (port) => {
      const out = await new Deno.Command("node", {
        args: [script, `ws://127.0.0.1:${port}/ws`, "40", "600"],
        cwd: dirname(script),
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout).trim();
      const r = JSON.parse(text.split("\n").pop() || "{}");
      if (!takeover) {
        // ws refuses an answer that forbids what it asked for: the default answer says so.
        assert.match(r.error ?? "", /Sec-WebSocket-Extensions/, text);
        return;
      }
      assert.equal(r.ok, true, `${text} ${new TextDecoder().decode(out.stderr)}`);
      assert.equal(r.echoed, 40);
      assert.match(r.extensions, /^permessage-deflate; server_no_context_takeover/);
      assert.doesNotMatch(r.extensions, /client_no_context_takeover/);
    });
  }
});

Deno.test("client context takeover: one zlib stream across messages, an uncompressed one between stays out of the window, a bomb stops at maxMessageSize", async () => {
  await withEcho(
    { compression: { clientContextTakeover: true }, maxMessageSize: 64 * 1024 },
    async (port) => {
      const { c, head } = await RawClient.open(
        port,
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
      );
      assert.match(head, /permessage-deflate; server_no_context_takeover\r\n/i);
      // The client's compressor: one raw deflate stream, sync-flushed per message.
      const stream = zlib.createDeflateRaw({ windowBits: 15 });
      const pending: Uint8Array[] = [];
      stream.on("data", (d: Uint8Array) => pending.push(d));
      const compress = async (text: string) => {
        stream.write(new TextEncoder().encode(text));
        await new Promise<void>((r) => stream.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
        const all = new Uint8Array(pending.flatMap((p) => [...p]));
        pending.length = 0;
        return all.subarray(0, all.length - 4); // without the 0x00 0x00 0xFF 0xFF tail
      };
      const texts = [0, 1, 2, 3].map((i) => JSON.stringify([i, "xyz".repeat(200), "tail"]));
      for (const [i, text] of texts.entries()) {
        if (i === 2) {
          // sent uncompressed (RSV1 clear): the client's compressor never sees it
          await c.send(frame(1, '["plain","xyz"]'));
          const plain = await c.frame();
          assert.equal(new TextDecoder().decode(plain!.payload), '["plain","xyz"]');
        }
        const packed = await compress(text);
        if (i > 0) {
          assert.ok(packed.length < 40, `message ${i} refers back: ${packed.length} octets`);
        }
        await c.send(frame(1, packed, { rsv: 4 }));
        const f = await c.frame();
        assert.equal(f?.op, 1);
        const echoed = f!.rsv1
          ? zlib.inflateRawSync(f!.payload, { finishFlush: zlib.constants.Z_SYNC_FLUSH })
          : f!.payload;
        assert.equal(new TextDecoder().decode(echoed), text);
      }
      // A bomb against the window: refused once the output passes the limit.
      const bomb = await compress(JSON.stringify(["0".repeat(1_000_000)]));
      await c.send(frame(1, bomb, { rsv: 4 }));
      assert.equal(await c.closeCode(), 1009);
      stream.close();
      c.close();
    },
  );
});

Deno.test("auto_ping_size (pingSize): idle pings carry that many octets", async () => {
  await withEcho({ idleTimeout: 1, pingSize: 12 }, async (port) => {
    const { c } = await RawClient.open(port);
    const f = await c.frame();
    assert.equal(f?.op, 9);
    assert.equal(f!.payload.length, 12);
    c.close();
  });
});

Deno.test("enable_webstatus / show_server_version: the 426 text and a Server header", async () => {
  const plain = async (port: number) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n"));
    let text = "";
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    conn.close();
    return text;
  };
  await withEcho({}, async (port) => {
    const t = await plain(port);
    assert.match(t, /^HTTP\/1\.1 426 /);
    assert.match(t, /This is a WAMP WebSocket endpoint/);
    assert.doesNotMatch(t, /\r\nserver:/i);
  });
  await withEcho({ webStatus: false, showServerVersion: true }, async (port) => {
    const t = await plain(port);
    assert.match(t, /^HTTP\/1\.1 426 /);
    assert.doesNotMatch(t, /WAMP WebSocket endpoint/);
    assert.match(t, /\r\nserver: xbar\/\d/);
    const { c, head } = await RawClient.open(port);
    assert.match(head, /\r\nserver: xbar\/\d/);
    c.close();
  });
});

Deno.test("request_max_window_bits (compression.clientMaxWindowBits): asked of a client that offers client_max_window_bits", async () => {
  await withEcho({ compression: { clientMaxWindowBits: 10 } }, async (port) => {
    const offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    const { c, head } = await RawClient.open(port, offer);
    assert.match(head, /client_max_window_bits=10/);
    c.close();
    const none = await RawClient.open(port, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    assert.doesNotMatch(none.head, /client_max_window_bits/, "not asked when not offered");
    none.c.close();
  });
});
