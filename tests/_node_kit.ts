/**
 * Helpers for the node end-to-end tests (tests/node_*_test.ts): temporary
 * node directories, free ports, running `xbar` commands as real processes
 * (`deno run cli/xbar.ts ...`), a running node whose log lines can be awaited,
 * and process liveness checks.
 *
 * With `XBAR_TEST_LAUNCHER=1` (`scripts/test.sh` runs the node lifecycle,
 * supervision and component tests once more that way) every command runs
 * through the launcher that stands in for the single executable, built for
 * the node directory as `deno task compile --launcher --components <dir>`
 * builds it (`<dir>/.launcher/node-exe`: a name without "xbar" in it): the
 * command line has the executable's shape, workers are spawned through the
 * launcher, and components are only the built-in ones.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { collectComponents, writeEntry, writeLauncher } from "../scripts/single_executable.ts";

/** `cli/xbar.ts`. */
export const XBAR = fileURLToPath(new URL("../cli/xbar.ts", import.meta.url));
/** The repository root (ends with a slash). */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** True when the node tests run through the launcher (`XBAR_TEST_LAUNCHER=1`). */
export const THROUGH_LAUNCHER = Deno.env.get("XBAR_TEST_LAUNCHER") === "1";

/**
 * Builds the launcher for node directory `dir` with the components its
 * config names built in (the config may be missing or wrong: then none are),
 * and returns its path.
 */
export async function launcherFor(dir: string): Promise<string> {
  const { components } = await collectComponents(dir);
  const entry = join(dir, ".launcher", "main.ts");
  const launcher = join(dir, ".launcher", "node-exe");
  await writeEntry(entry, components);
  await writeLauncher(launcher, entry);
  return launcher;
}

/** A port that was free a moment ago (bind port 0, read it, close). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** True when `port` on 127.0.0.1 can be bound right now. */
export function portIsFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** A fresh node directory under the temp directory (short, so the Unix socket path fits). */
export async function tempNodeDir(): Promise<string> {
  return await Deno.makeTempDir({ dir: "/tmp", prefix: "xbn-" });
}

/** Writes `config` as `config.json` in `dir`. */
export async function writeConfig(dir: string, config: unknown): Promise<void> {
  await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(config, null, 2));
}

/** The output of a finished `xbar` command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line of `xbar <args>`: `deno run cli/xbar.ts`, or the launcher of the `--dir` node directory. */
async function xbarCommand(
  args: string[],
  cwd = Deno.cwd(),
): Promise<{ command: string; args: string[] }> {
  if (!THROUGH_LAUNCHER) {
    return { command: Deno.execPath(), args: ["run", "-A", "--quiet", XBAR, ...args] };
  }
  const at = args.indexOf("--dir");
  if (at < 0 || at + 1 >= args.length) {
    throw new Error(`launcher mode needs --dir: ${args.join(" ")}`);
  }
  const dir = resolve(cwd, args[at + 1]);
  await Deno.mkdir(dir, { recursive: true });
  return { command: await launcherFor(dir), args };
}

/**
 * Runs `spawn` again (up to 5 times, 20 ms apart) while it fails with
 * ETXTBSY: the launcher was just written, and a process this one forked at
 * that moment holds the file open for writing until it execs (Linux refuses
 * to execute a file open for writing, "Text file busy").
 */
async function spawnWhenNotBusy<T>(spawn: () => T): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return spawn();
    } catch (err) {
      if (attempt >= 5 || !String(err).includes("os error 26")) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Runs `xbar <args>` to completion. */
export async function xbar(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CommandResult> {
  const cmd = await xbarCommand(args, options.cwd);
  const child = await spawnWhenNotBusy(() =>
    new Deno.Command(cmd.command, {
      args: cmd.args,
      cwd: options.cwd,
      env: { NO_COLOR: "1", ...options.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn()
  );
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A node started with `xbar start`. */
export class RunningNode {
  /** The controller process. */
  readonly child: Deno.ChildProcess;
  /** The node directory. */
  readonly dir: string;
  /** Every stderr line so far (the node log). */
  readonly lines: string[] = [];
  /** Settles when the controller exits. */
  readonly exited: Promise<Deno.CommandStatus>;
  #waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  #stderrDone: Promise<void>;

  /** @internal use `startNode` */
  constructor(child: Deno.ChildProcess, dir: string) {
    this.child = child;
    this.dir = dir;
    this.#stderrDone = this.#read();
    this.exited = child.status.then(async (s) => {
      await this.#stderrDone;
      return s;
    });
    void child.stdout.cancel();
  }

  /** The controller's pid. */
  get pid(): number {
    return this.child.pid;
  }

  /** Resolves with the first log line (already seen or later) matching `re`; rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs = 15000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `no log line matching ${re} within ${timeoutMs} ms; log:\n${this.lines.join("\n")}`,
          ),
        );
      }, timeoutMs);
      const done = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.#waiters.push({ re, resolve: done });
    });
  }

  /** The log so far, for assertion messages. */
  log(): string {
    return this.lines.join("\n");
  }

  /** Sends SIGTERM (if still running) and waits for the exit. */
  async stop(): Promise<Deno.CommandStatus> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already gone
    }
    return await this.exited;
  }

  async #read(): Promise<void> {
    let rest = "";
    const dec = new TextDecoder();
    for await (const chunk of this.child.stderr) {
      const parts = (rest + dec.decode(chunk, { stream: true })).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) {
        this.lines.push(line);
        if (Deno.env.get("XBAR_TEST_LOG")) console.error(line);
        for (const w of [...this.#waiters]) {
          if (w.re.test(line)) {
            this.#waiters = this.#waiters.filter((x) => x !== w);
            w.resolve(line);
          }
        }
      }
    }
  }
}

/** Starts `xbar start --dir <dir> <args>` and waits for "node ready" (rejects with the log when it exits first). */
export async function startNode(
  dir: string,
  args: string[] = [],
  options: {
    cwd?: string;
    /** A command the node runs under, e.g. `["ip", "netns", "exec", "<ns>"]` (another test host). */
    wrap?: string[];
    /** How long to wait for "node ready" (default 20 s). */
    readyTimeoutMs?: number;
    /** Run the node (and so its workers) with at most this many open files (`ulimit -n`, soft and hard). */
    maxOpenFiles?: number;
  } = {},
): Promise<RunningNode> {
  const cmd = await xbarCommand(["start", "--dir", dir, ...args], options.cwd);
  // Deno raises its soft limit to the hard one, so both are set.
  const limit = options.maxOpenFiles === undefined
    ? []
    : ["/bin/sh", "-c", `ulimit -n ${options.maxOpenFiles} && exec "$@"`, "sh"];
  const [command, ...argv] = [...(options.wrap ?? []), ...limit, cmd.command, ...cmd.args];
  const child = await spawnWhenNotBusy(() =>
    new Deno.Command(command, {
      args: argv,
      cwd: options.cwd,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn()
  );
  const node = new RunningNode(child, dir);
  const ready = node.waitFor(/node ready/, options.readyTimeoutMs ?? 20000);
  const outcome = await Promise.race([ready, node.exited.then((s) => s)]);
  if (typeof outcome !== "string") {
    throw new Error(
      `xbar start exited with code ${outcome.code} before it was ready; log:\n${node.log()}`,
    );
  }
  return node;
}

/** True when process `pid` exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Polls `fn` every `everyMs` until it returns a truthy value; rejects with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeoutMs = 5000,
  everyMs = 25,
): Promise<Exclude<T, false | 0 | "" | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as Exclude<T, false | 0 | "" | null | undefined>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ""}`,
  );
}

/**
 * A realm config where role `anonymous` may call, register, publish and
 * subscribe anything; with `disclose`, callers and publishers are disclosed.
 */
export function openRealm(
  name = "realm1",
  options: { disclose?: boolean } = {},
): Record<string, unknown> {
  return {
    name,
    roles: [{
      name: "anonymous",
      permissions: [{
        uri: "",
        match: "prefix",
        allow: { call: true, register: true, publish: true, subscribe: true },
        ...(options.disclose ? { disclose: { caller: true, publisher: true } } : {}),
      }],
    }],
  };
}

/** A router worker config with realm `realm1` (anonymous may do everything) and a WebSocket transport on `port`. */
export function routerWorker(
  port: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "router",
    id: "router1",
    realms: [openRealm("realm1", { disclose: true })],
    transports: [{
      type: "websocket",
      id: "ws1",
      endpoint: { type: "tcp", interface: "127.0.0.1", port },
    }],
    ...extra,
  };
}
