/**
 * Test helpers for the RawSocket transport (not used in production code):
 * a byte-level client for poking the server with arbitrary octets, a
 * throw-away TLS certificate made with `openssl`, and a factory that serves
 * a `SessionAcceptor` over RawSocket (TCP or Unix) and connects clients to
 * it, for a shared transport contract suite.
 *
 * @module
 */

import type { SessionAcceptor } from "../router/peer.ts";
import type { SerializerName } from "../serializer/serializer.ts";
import type { ClientTransport } from "../client/client_transport.ts";
import { connectRawSocket } from "../client/rawsocket_transport.ts";
import {
  type RawSocketServer,
  serveRawSocket,
  type ServeRawSocketOptions,
} from "./rawsocket_server.ts";

/** A raw connection for tests: write octets, read exactly n octets or until EOF, with timeouts. */
export class ByteClient {
  /** The underlying connection. */
  readonly conn: Deno.Conn;
  #buf = new Uint8Array(0);
  #eof = false;

  /** @param conn an open connection */
  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  /** Connects to a RawSocket server's address (TCP or Unix). */
  static async connect(addr: Deno.NetAddr | Deno.UnixAddr): Promise<ByteClient> {
    const conn = "path" in addr
      ? await Deno.connect({ transport: "unix", path: addr.path })
      : await Deno.connect({ hostname: "127.0.0.1", port: addr.port });
    return new ByteClient(conn);
  }

  /** Writes all of `bytes`. */
  async write(bytes: Uint8Array | number[]): Promise<void> {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let off = 0;
    while (off < data.length) off += await this.conn.write(data.subarray(off));
  }

  /** Reads exactly `n` octets; rejects on EOF first or after `timeoutMs` (default 5000). */
  async read(n: number, timeoutMs = 5000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buf.length < n) {
      if (this.#eof) throw new Error(`EOF after ${this.#buf.length} of ${n} bytes`);
      await this.#fill(deadline - Date.now());
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  /** Reads one frame: `[type, payload]`. */
  async readFrame(timeoutMs = 5000): Promise<[number, Uint8Array]> {
    const h = await this.read(4, timeoutMs);
    const len = ((h[0] & 0x08) << 21) | (h[1] << 16) | (h[2] << 8) | h[3];
    return [h[0] & 0x07, await this.read(len, timeoutMs)];
  }

  /** Reads until EOF (or `timeoutMs`, default 5000: rejects); resolves with everything read. */
  async readToEnd(timeoutMs = 5000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#eof) await this.#fill(deadline - Date.now());
    const out = this.#buf;
    this.#buf = new Uint8Array(0);
    return out;
  }

  /** Closes the connection (idempotent). */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  async #fill(timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0) throw new Error("timed out reading");
    const chunk = new Uint8Array(64 * 1024);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    let n: number | null | "timeout";
    try {
      n = await Promise.race([
        // A reset (or our own close after a timeout) counts as the end of input.
        this.conn.read(chunk).catch(() => null),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
    if (n === "timeout") {
      this.close();
      throw new Error("timed out reading");
    }
    if (n === null) {
      this.#eof = true;
      return;
    }
    const grown = new Uint8Array(this.#buf.length + n);
    grown.set(this.#buf);
    grown.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = grown;
  }
}

/** A 4-octet RawSocket frame header followed by `payload`. */
export function frame(type: number, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = (body.length >> 16) & 0xff;
  out[2] = (body.length >> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

/** A self-signed end-entity certificate for `localhost` / 127.0.0.1, in PEM files under `dir`. */
export interface TestCertificate {
  /** Path of the private key. */
  keyPath: string;
  /** Path of the certificate. */
  certPath: string;
  /** The certificate PEM (to trust it in a client). */
  certPem: string;
}

/** Makes a throw-away certificate with the system's `openssl` (Deno rejects CA:TRUE server certs). */
export async function makeTestCertificate(dir: string): Promise<TestCertificate> {
  const keyPath = `${dir}/server.key`;
  const certPath = `${dir}/server.crt`;
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-sha256",
      "-days",
      "2",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-subj",
      "/CN=localhost",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`openssl failed: ${new TextDecoder().decode(out.stderr)}`);
  return { keyPath, certPath, certPem: await Deno.readTextFile(certPath) };
}

/** Starts a process that listens on `path` and kills it with SIGKILL: its socket file stays behind. */
export async function leaveStaleSocket(path: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${
        JSON.stringify(path)
      } }); console.log("ready"); setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  if (!/ready/.test(new TextDecoder().decode(value))) {
    throw new Error("the listening process did not start");
  }
  reader.releaseLock();
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  if (!(await Deno.lstat(path)).isSocket) throw new Error("the killed process left no socket file");
}

/** A running RawSocket endpoint for contract tests: connect clients to it, then stop it. */
export interface RawSocketFixture {
  /** The server. */
  server: RawSocketServer;
  /** Connects a client transport with `serializer` (default json). */
  connect(serializer?: SerializerName): Promise<ClientTransport>;
  /** Shuts the server down and removes its temp dir. */
  close(): Promise<void>;
}

/**
 * Serves `acceptor` over RawSocket on 127.0.0.1 (port 0) or a Unix socket in a
 * temp dir, for the transport contract suite.
 */
export async function startRawSocketFixture(
  acceptor: SessionAcceptor,
  kind: "tcp" | "unix",
  options: Omit<ServeRawSocketOptions, "endpoint"> = {},
): Promise<RawSocketFixture> {
  const dir = kind === "unix" ? await Deno.makeTempDir({ prefix: "xbar-rs-" }) : undefined;
  const server = await serveRawSocket(acceptor, {
    ...options,
    endpoint: kind === "unix"
      ? { type: "unix", path: `${dir}/rs.sock` }
      : { type: "tcp", hostname: "127.0.0.1", port: 0 },
  });
  const addr = server.addr;
  return {
    server,
    connect: (serializer: SerializerName = "json") =>
      connectRawSocket(
        "path" in addr
          ? { transport: "unix", path: addr.path }
          : { transport: "tcp", hostname: "127.0.0.1", port: addr.port },
        { serializer },
      ),
    async close() {
      await server.shutdown();
      if (dir !== undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
