/**
 * The smoke test of a single xbar executable (the compiled one, or the
 * launcher standing in for it): from a fresh node directory, `check`, `start`,
 * a call through a container component and one through a router component
 * (both the built-in `smoke_component.ts`), `status`, `stop`. `deno task
 * compile` runs it on what it built before it reports success; the launcher
 * test runs the same code on the launcher.
 *
 * @module
 */

import { join } from "node:path";
import { connect } from "../src/client/connect.ts";
import { SMOKE_COMPONENT } from "./single_executable.ts";

/** Options of {@link smokeTest}. */
export interface SmokeOptions {
  /** Progress lines (default: none). */
  say?: (line: string) => void;
  /** Milliseconds the node gets to be ready (default 30000). */
  readyTimeoutMs?: number;
}

/** What the smoke test measured. */
export interface SmokeResult {
  /** Milliseconds from spawning `start` to its "node ready" line. */
  startMs: number;
}

const decoder = new TextDecoder();

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The smoke-test node config: a router (with a router component) and a container component, on `port`. */
export function smokeConfig(port: number): Record<string, unknown> {
  return {
    version: 2,
    workers: [
      {
        type: "router",
        id: "router1",
        realms: [{
          name: "realm1",
          roles: [{
            name: "anonymous",
            permissions: [{
              uri: "",
              match: "prefix",
              allow: { call: true, register: true, publish: true, subscribe: true },
            }],
          }],
        }],
        transports: [{
          type: "websocket",
          id: "ws1",
          endpoint: { type: "tcp", interface: "127.0.0.1", port },
        }],
        components: [{
          type: "module",
          id: "smoke_router",
          module: SMOKE_COMPONENT,
          export: "routerComponent",
          realm: "realm1",
        }],
      },
      {
        type: "container",
        id: "container1",
        components: [{
          type: "module",
          id: "smoke_container",
          module: SMOKE_COMPONENT,
          export: "containerComponent",
          realm: "realm1",
          transport: {
            type: "websocket",
            endpoint: { type: "tcp", host: "127.0.0.1", port },
            url: `ws://127.0.0.1:${port}/ws`,
          },
        }],
      },
    ],
  };
}

async function run(executable: string, args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(executable, {
    args,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/** Collects a child's stderr lines and resolves when one matches. */
class LogWatch {
  readonly lines: string[] = [];
  #waiters: { re: RegExp; resolve: () => void }[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      let rest = "";
      for await (const chunk of stream) {
        const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) {
          this.lines.push(line);
          for (const w of [...this.#waiters]) {
            if (w.re.test(line)) {
              this.#waiters = this.#waiters.filter((x) => x !== w);
              w.resolve();
            }
          }
        }
      }
    })();
  }

  waitFor(re: RegExp): Promise<void> {
    if (this.lines.some((l) => re.test(l))) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ re, resolve }));
  }
}

/**
 * Runs the smoke test against `executable` (argv shape `xbar <command>`).
 * Rejects with what failed and the node's log; leaves no process or
 * directory behind either way.
 */
export async function smokeTest(
  executable: string,
  options: SmokeOptions = {},
): Promise<SmokeResult> {
  const say = options.say ?? (() => {});
  const dir = await Deno.makeTempDir({ prefix: "xbar-smoke-" });
  let node: Deno.ChildProcess | undefined;
  let log: LogWatch | undefined;
  const failure = (what: string, detail = ""): Error => {
    return new Error(
      `smoke test of ${executable}: ${what}${detail ? `\n${detail}` : ""}${
        log ? `\nnode log:\n${log.lines.join("\n")}` : ""
      }`,
    );
  };
  try {
    const port = freePort();
    await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(smokeConfig(port), null, 2));
    const checked = await run(executable, ["check", "--dir", dir]);
    if (checked.code !== 0) throw failure(`"check" exited ${checked.code}`, checked.text);
    say(`smoke: check ok`);

    const t0 = performance.now();
    node = new Deno.Command(executable, {
      args: ["start", "--dir", dir],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    log = new LogWatch(node.stderr);
    const exited = node.status;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      log.waitFor(/node ready/).then(() => "ready" as const),
      exited.then((s) => s),
      new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), options.readyTimeoutMs ?? 30000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (outcome === "timeout") throw failure("the node was not ready in time");
    if (outcome !== "ready") throw failure(`"start" exited ${outcome.code} before it was ready`);
    const startMs = Math.round(performance.now() - t0);
    say(`smoke: node ready in ${startMs} ms`);

    const client = await connect(`ws://127.0.0.1:${port}/ws`, "realm1");
    try {
      const sum = (await client.call("xbar.smoke.add2", [2, 3])).args[0];
      if (sum !== 5) {
        throw failure(`the container component answered ${JSON.stringify(sum)}, not 5`);
      }
      const where = (await client.call("xbar.smoke.where")).args[0];
      if (where !== "router") {
        throw failure(`the router component answered ${JSON.stringify(where)}`);
      }
    } finally {
      await client.leave().catch(() => {});
    }
    say(`smoke: calls through a container and a router component ok`);

    const status = await run(executable, ["status", "--dir", dir]);
    if (status.code !== 0 || !/container1 +container +running/.test(status.text)) {
      throw failure(`"status" exited ${status.code}`, status.text);
    }
    const stopped = await run(executable, ["stop", "--dir", dir]);
    if (stopped.code !== 0) throw failure(`"stop" exited ${stopped.code}`, stopped.text);
    const exit = await exited;
    await log.done;
    if (exit.code !== 0) throw failure(`the node exited ${exit.code} after "stop"`);
    node = undefined;
    say(`smoke: status and stop ok`);
    return { startMs };
  } finally {
    if (node) {
      try {
        node.kill("SIGKILL");
      } catch {
        // already gone
      }
      await node.status;
      await log?.done;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
