/**
 * Test harness for end-to-end tests: a real router on a real WebSocket
 * listener (127.0.0.1, port 0), and runners for third-party client scripts
 * (AutobahnJS under Node, Autobahn|Python under Debian's python3).
 *
 * @module
 */

import { Router, type RouterOptions } from "../src/router/router.ts";
import { serveWebSocket, type WebSocketServer } from "../src/transport/websocket_server.ts";

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

/** Output of a client script: `{ok, result}` or `{ok: false, error}`. */
export interface ScriptResult {
  ok: boolean;
  // deno-lint-ignore no-explicit-any
  result?: any;
  error?: string;
}

async function runJsonScript(
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

const NODE_DIR = new URL("./node/", import.meta.url).pathname;
const PYTHON_DIR = new URL("./python/", import.meta.url).pathname;

/** Runs an AutobahnJS scenario (tests/node/scenarios.mjs) against `url`. */
export function runAutobahnJs(
  url: string,
  realm: string,
  serializer: "json" | "msgpack" | "cbor" | "all",
  scenario: string,
  timeoutMs = 20000,
): Promise<ScriptResult> {
  return runJsonScript(
    "node",
    ["scenarios.mjs", url, realm, serializer, scenario],
    NODE_DIR,
    timeoutMs,
  );
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
