/**
 * Test harness for end-to-end tests: a real router on a real WebSocket
 * listener (127.0.0.1, port 0), and runners for third-party client scripts
 * (AutobahnJS under Node, Autobahn|Python under Debian's python3).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { Router, type RouterOptions } from "../src/router/router.ts";
import { serveWebSocket, type WebSocketServer } from "../src/transport/websocket_server.ts";
import { type RawSocketServer, serveRawSocket } from "../src/transport/rawsocket_server.ts";

/** A running router with a WebSocket listener. */
export interface TestNode {
  /** The router. */
  router: Router;
  /** ws:// URL of the listener. */
  url: string;
  /** Port. */
  port: number;
  /** Stops the listener and ends sessions. */
  close(): Promise<void>;
}

/** Starts a router (default: realm1, anonymous allowed everything) on ws://127.0.0.1:<port>/ws. */
export async function startTestNode(options: RouterOptions = {}): Promise<TestNode> {
  const router = new Router({ realms: [{ name: "realm1" }], ...options });
  const server: WebSocketServer = await serveWebSocket(router, {
    hostname: "127.0.0.1",
    port: 0,
    path: "/ws",
    shutdownGraceMs: 500,
  });
  const port = server.addr.port;
  return {
    router,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    async close() {
      router.shutdown();
      await server.shutdown();
    },
  };
}

/** A running router with a WebSocket listener and RawSocket listeners on TCP and a Unix socket. */
export interface RawSocketTestNode extends TestNode {
  /** Port of the RawSocket TCP listener on 127.0.0.1. */
  tcpPort: number;
  /** Absolute path of the RawSocket Unix socket (in a fresh temporary directory). */
  unixPath: string;
}

/**
 * Starts a router as `startTestNode` does (WebSocket on ws://127.0.0.1:<port>/ws)
 * plus RawSocket listeners (every serializer) on TCP 127.0.0.1:<tcpPort> and on
 * the Unix socket `unixPath`. `close()` stops all three and removes the directory.
 */
export async function startRawSocketNode(options: RouterOptions = {}): Promise<RawSocketTestNode> {
  const node = await startTestNode(options);
  const dir = await Deno.makeTempDir({ prefix: "xbar-rs-" });
  const servers: RawSocketServer[] = [];
  try {
    servers.push(
      await serveRawSocket(node.router, {
        endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0 },
        closeTimeoutMs: 500,
      }),
    );
    servers.push(
      await serveRawSocket(node.router, {
        endpoint: { type: "unix", path: `${dir}/rs.sock` },
        closeTimeoutMs: 500,
      }),
    );
  } catch (err) {
    await Promise.all(servers.map((s) => s.shutdown()));
    await node.close();
    await Deno.remove(dir, { recursive: true });
    throw err;
  }
  const [tcp, unix] = servers;
  return {
    ...node,
    tcpPort: (tcp.addr as Deno.NetAddr).port,
    unixPath: (unix.addr as Deno.UnixAddr).path,
    async close() {
      node.router.shutdown();
      await Promise.all([...servers.map((s) => s.shutdown()), node.close()]);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Output of a client script: `{ok, result}` or `{ok: false, error}`. */
export interface ScriptResult {
  ok: boolean;
  // deno-lint-ignore no-explicit-any
  result?: any;
  error?: string;
}

/**
 * Runs a client script that prints its outcome as JSON on its last stdout
 * line, killing it after `timeoutMs`; a failure carries the script's stderr.
 */
export async function runJsonScript(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<ScriptResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout).trim();
  const stderr = new TextDecoder().decode(out.stderr).trim();
  const last = stdout.split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(last) as ScriptResult;
    if (!parsed.ok) parsed.error = `${parsed.error}\nstderr: ${stderr}`;
    return parsed;
  } catch {
    return {
      ok: false,
      error: `exit ${out.code} signal ${out.signal}; stdout: ${stdout}; stderr: ${stderr}`,
    };
  }
}

const NODE_DIR = fileURLToPath(new URL("./node/", import.meta.url));
const PYTHON_DIR = fileURLToPath(new URL("./python/", import.meta.url));

/**
 * How a client script connects: `"websocket"` (the default; the address is a
 * ws:// URL) or `"rawsocket"` (the address is `tcp://host:port` or
 * `unix:/absolute/path`).
 */
export type ClientTransport = "websocket" | "rawsocket";

/**
 * Runs an AutobahnJS scenario (tests/node/scenarios.mjs) against `url`
 * (a ws:// URL, or for `transport` "rawsocket" `tcp://host:port` / `unix:/path`).
 */
export function runAutobahnJs(
  url: string,
  realm: string,
  serializer: "json" | "msgpack" | "cbor" | "all",
  scenario: string,
  timeoutMs = 20000,
  transport: ClientTransport = "websocket",
): Promise<ScriptResult> {
  const args = ["scenarios.mjs", url, realm, serializer, scenario];
  if (transport !== "websocket") args.push(transport);
  return runJsonScript("node", args, NODE_DIR, timeoutMs);
}

/** Debian's python3 (has python3-autobahn), not a pyenv shim. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** Runs an Autobahn|Python script from tests/python with arguments. */
export function runAutobahnPython(
  script: string,
  args: string[],
  timeoutMs = 20000,
): Promise<ScriptResult> {
  return runJsonScript(DEBIAN_PYTHON, [script, ...args], PYTHON_DIR, timeoutMs);
}
