/**
 * Drives a third-party WAMP client process line by line (tests/node/agent.mjs
 * for AutobahnJS, tests/python/agent.py for Autobahn|Python): the test sends
 * commands (register, call, subscribe, publish, leave) and awaits their
 * replies and the events the client reports (events received, invocations,
 * its session ending), so clients on different router workers can act in
 * turns without sleeps.
 *
 * @module
 */

import { DEBIAN_PYTHON } from "./_harness.ts";

const NODE_DIR = new URL("./node/", import.meta.url).pathname;
const PYTHON_DIR = new URL("./python/", import.meta.url).pathname;

/** A WAMP error as the client saw it. */
export interface AgentError {
  /** Error URI. */
  error: string;
  /** Positional payload. */
  args: unknown[];
  /** Keyword payload. */
  kwargs: Record<string, unknown>;
}

/** A call's result as the client saw it. */
export interface AgentResult {
  /** Positional results. */
  args: unknown[];
  /** Keyword results. */
  kwargs: Record<string, unknown>;
}

/** A line the client printed on its own. */
export type AgentEvent = { event: string } & Record<string, unknown>;

/** A command failed: the WAMP error is in `error`. */
export class AgentCallError extends Error {
  /** The error. */
  readonly error: AgentError;
  /** @param e the error */
  constructor(e: AgentError) {
    super(`${e.error} ${JSON.stringify(e.args)} ${JSON.stringify(e.kwargs)}`);
    this.error = e;
  }
}

/** Which client library. */
export type AgentKind = "autobahn-js" | "autobahn-python";

/** A running client process with a joined session. */
export class Agent {
  /** Library. */
  readonly kind: AgentKind;
  /** Name (what procedures of kind "name" return). */
  readonly name: string;
  /** Session id. */
  session = 0;
  /** Every event line so far. */
  readonly events: AgentEvent[] = [];
  /** Settles when the process has exited. */
  readonly exited: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #next = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #waiters: { pred: (e: AgentEvent) => boolean; resolve: (e: AgentEvent) => void }[] = [];
  #stderr = "";
  #done: Promise<void>;

  private constructor(kind: AgentKind, name: string, child: Deno.ChildProcess) {
    this.kind = kind;
    this.name = name;
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#done = this.#read();
    void (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr += chunk;
      }
    })();
    this.exited = child.status.then(async (s) => {
      await this.#done;
      for (const p of this.#pending.values()) {
        p.reject(new Error(`${this.name} exited (${s.code}); stderr: ${this.#stderr}`));
      }
      this.#pending.clear();
      return s;
    });
  }

  /**
   * Starts a client connected to `url` (ws://…, tcp://host:port or unix:/path)
   * and resolves once its session joined `realm`.
   */
  static async start(
    kind: AgentKind,
    url: string,
    options: {
      name: string;
      realm?: string;
      serializer?: string;
      timeoutMs?: number;
      /** A command the client runs under, e.g. `["ip", "netns", "exec", "<ns>"]` (another test host). */
      wrap?: string[];
    },
  ): Promise<Agent> {
    const args = [url, options.realm ?? "realm1", options.serializer ?? "json", options.name];
    const program = kind === "autobahn-js" ? "node" : DEBIAN_PYTHON;
    const programArgs = [kind === "autobahn-js" ? "agent.mjs" : "agent.py", ...args];
    const wrap = options.wrap ?? [];
    const child = new Deno.Command(
      wrap.length > 0 ? wrap[0] : program,
      {
        args: wrap.length > 0 ? [...wrap.slice(1), program, ...programArgs] : programArgs,
        cwd: kind === "autobahn-js" ? NODE_DIR : PYTHON_DIR,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      },
    ).spawn();
    const a = new Agent(kind, options.name, child);
    try {
      const joined = await a.waitEvent((e) => e.event === "joined" || e.event === "left", {
        timeoutMs: options.timeoutMs ?? 15000,
      });
      if (joined.event !== "joined") throw new Error(`did not join: ${JSON.stringify(joined)}`);
      a.session = joined.session as number;
    } catch (err) {
      await a.close();
      throw new Error(`${kind} agent ${options.name} at ${url}: ${err}; stderr: ${a.#stderr}`);
    }
    return a;
  }

  async #read(): Promise<void> {
    let rest = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.trim()) continue;
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line);
        } catch {
          continue; // a library's own print
        }
        if (typeof msg.id === "number") {
          const p = this.#pending.get(msg.id);
          this.#pending.delete(msg.id);
          if (msg.ok) p?.resolve(msg.result);
          else p?.reject(new AgentCallError(msg.error as AgentError));
        } else if (typeof msg.event === "string") {
          const e = msg as AgentEvent;
          this.events.push(e);
          for (const w of [...this.#waiters]) {
            if (w.pred(e)) {
              this.#waiters = this.#waiters.filter((x) => x !== w);
              w.resolve(e);
            }
          }
        }
      }
    }
  }

  /** Sends a command and resolves with its result (rejects with `AgentCallError`). */
  command<T = Record<string, unknown>>(op: string, fields: Record<string, unknown>): Promise<T> {
    const id = this.#next++;
    const p = new Promise<T>((resolve, reject) =>
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
    );
    const line = new TextEncoder().encode(JSON.stringify({ id, op, ...fields }) + "\n");
    this.#writer.write(line).catch(() => {});
    return p;
  }

  /** Registers `uri` with behaviour `kind` (add, fail, name, hang). */
  register(uri: string, kind: string, options: Record<string, unknown> = {}): Promise<unknown> {
    return this.command("register", { uri, kind, options });
  }

  /** Calls `uri`. */
  call(
    uri: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: Record<string, unknown> = {},
  ): Promise<AgentResult> {
    return this.command<AgentResult>("call", { uri, args, kwargs, options });
  }

  /** Subscribes to `topic`; events arrive as `{event: "event", topic, args, kwargs}`. */
  subscribe(topic: string, options: Record<string, unknown> = {}): Promise<unknown> {
    return this.command("subscribe", { topic, options });
  }

  /** Publishes to `topic` (acknowledged). */
  publish(
    topic: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
  ): Promise<unknown> {
    return this.command("publish", { topic, args, kwargs, options: { acknowledge: true } });
  }

  /** Resolves with the first event (seen or later) that `pred` accepts; rejects after the timeout. */
  waitEvent(
    pred: (e: AgentEvent) => boolean,
    options: { timeoutMs?: number; after?: number } = {},
  ): Promise<AgentEvent> {
    const seen = this.events.slice(options.after ?? 0).find(pred);
    if (seen) return Promise.resolve(seen);
    const ms = options.timeoutMs ?? 10000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `${this.name}: no matching event within ${ms} ms; events: ${
              JSON.stringify(this.events)
            }`,
          ),
        );
      }, ms);
      const done = (e: AgentEvent) => {
        clearTimeout(timer);
        resolve(e);
      };
      this.#waiters.push({ pred, resolve: done });
    });
  }

  /** Events named `event` received for `topic`. */
  received(topic: string): AgentEvent[] {
    return this.events.filter((e) => e.event === "event" && e.topic === topic);
  }

  /** Ends the process (closing stdin; SIGKILL after 3 s). */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // gone
      }
    }, 3000);
    await this.exited;
    clearTimeout(timer);
  }
}
