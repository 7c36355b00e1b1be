/**
 * Runs one Python component (Crossbar's `type: class` / `type: function`) in
 * its own Python process with the embedded host program (`host_source.ts`):
 *
 * - a router component talks RawSocket to this worker's router over the
 *   process's stdin/stdout, authenticated as its configured role (nothing
 *   else can reach that connection);
 * - a container component connects over its configured transport itself.
 *
 * The component counts as started when its session is ready (its `onJoin`
 * has finished), or has been joined for {@link JOIN_GRACE_MS} (an `onJoin`
 * that loops forever, common in Crossbar examples). A start fails when the
 * process ends, the session is refused, or it cannot load the component
 * before that. Afterwards `ended` tells how it ended: `stopped` (left
 * normally) or `failed`. Its output is logged line by line.
 *
 * @module
 */

import { resolve } from "node:path";
import type {
  ConnectingTransportConfig,
  PythonContainerComponentConfig,
  PythonRouterComponentConfig,
} from "../../config/types.ts";
import type { Logger } from "../../log/logger.ts";
import type { RouterMessage } from "../../wamp/messages.ts";
import { MessageType } from "../../wamp/messages.ts";
import type { Peer, SessionAcceptor } from "../../router/peer.ts";
import { RawSocketConnection } from "../../transport/rawsocket_connection.ts";
import { lengthExponentFor } from "../../transport/rawsocket_protocol.ts";
import { cborSerializer, jsonSerializer, msgpackSerializer } from "../../serializer/mod.ts";
import { lineSplitter } from "../guest_worker.ts";
import { ChildStdioConn } from "./child_stdio_conn.ts";
import {
  PYTHON_BOOTSTRAP,
  PYTHON_COMPONENT_ENV,
  PYTHON_HOST_ENV,
  PYTHON_HOST_SOURCE,
} from "./host_source.ts";

/** How long a joined session that is not yet ready waits before the component counts as started. */
export const JOIN_GRACE_MS = 1000;
/** How long `stop()` waits for the process to leave and exit before SIGKILL. */
export const STOP_TIMEOUT_MS = 5000;
const STATUS_MARK = "\x1exbar-status ";
const TXAIO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} /;

/** Options of {@link startPythonComponent}. */
export interface PythonComponentOptions {
  /** The component. */
  config: PythonRouterComponentConfig | PythonContainerComponentConfig;
  /** Node directory (`extra.cbdir`, the process's working directory, relative paths). */
  nodeDir: string;
  /** The interpreter (see `interpreter.ts`). */
  python: string;
  /** Directories put first on the Python search path (absolute). */
  pythonpath: string[];
  /** Where the component's output and lifecycle go. */
  logger: Logger;
  /** Log level of the component's Autobahn/txaio logging. Default `info`. */
  logLevel?: string;
  /** The process environment (default: this process's). */
  env?: Record<string, string>;
  /** For a router component: the router its stdio RawSocket connection is attached to, and the transport id that authenticates it. */
  router?: { acceptor: SessionAcceptor; transportId: string };
}

/** How a started component ended. */
export interface PythonComponentEnd {
  /** `stopped`: it left normally (or was stopped); `failed`: anything else. */
  how: "stopped" | "failed";
  /** Why, for logs and status. */
  why: string;
}

/** A started Python component. */
export interface RunningPythonComponent {
  /** Process id. */
  readonly pid: number;
  /** Session id of its WAMP session. */
  readonly session: number;
  /** Settles once when the process has ended. */
  readonly ended: Promise<PythonComponentEnd>;
  /** Makes the session leave and the process exit (SIGTERM, then SIGKILL after {@link STOP_TIMEOUT_MS}). */
  stop(): Promise<void>;
}

interface StatusEvent {
  event: "joined" | "ready" | "left" | "error";
  session?: number;
  reason?: string;
  message?: string;
  /** The component could not be loaded (not worth a restart). */
  load?: boolean;
}

/** The transport as the host program takes it (`kind`: stdio, websocket, rawsocket). */
async function hostTransport(
  t: ConnectingTransportConfig | undefined,
  nodeDir: string,
): Promise<Record<string, unknown>> {
  if (!t) return { kind: "stdio", serializer: "cbor" };
  const e = t.endpoint;
  const endpoint: Record<string, unknown> = e.type === "unix"
    ? { type: "unix", path: resolve(nodeDir, e.path), timeout: e.timeout }
    : { type: "tcp", host: e.host, port: e.port, version: e.version, timeout: e.timeout };
  if (e.type === "tcp" && e.tls) {
    endpoint.tls = {
      hostname: e.tls.hostname,
      ca: await Promise.all(
        e.tls.ca_certificates.map((f) => Deno.readTextFile(resolve(nodeDir, f))),
      ),
    };
  }
  if (t.type === "websocket") {
    const given = new URL(t.url);
    const scheme = e.type === "tcp" && e.tls ? "wss" : "ws";
    const host = e.type === "tcp" ? (e.host.includes(":") ? `[${e.host}]` : e.host) : "localhost";
    const port = e.type === "tcp" ? e.port : 80;
    return {
      kind: "websocket",
      url: `${scheme}://${host}:${port}${given.pathname}${given.search}`,
      serializers: t.serializers,
      endpoint,
      max_message_size: t.options.max_message_size,
    };
  }
  return {
    kind: "rawsocket",
    serializer: t.serializer,
    endpoint,
    max_message_size: Math.min(t.options.max_message_size, 2 ** 24),
  };
}

/** A peer that reports the router's WELCOME and ABORT to a Python router component. */
function watchingAcceptor(
  acceptor: SessionAcceptor,
  on: (e: StatusEvent) => void,
): SessionAcceptor {
  return {
    attach(peer: Peer) {
      const watched: Peer = {
        get info() {
          return peer.info;
        },
        send(msg: RouterMessage) {
          if (msg[0] === MessageType.WELCOME) on({ event: "joined", session: msg[1] });
          else if (msg[0] === MessageType.ABORT) {
            on({ event: "left", reason: msg[2], message: String(msg[1].message ?? "") });
          }
          peer.send(msg);
        },
        close() {
          peer.close();
        },
      };
      return acceptor.attach(watched);
    },
  };
}

/** Starts the component; rejects (after the process has ended) when it does not start. */
export async function startPythonComponent(
  o: PythonComponentOptions,
): Promise<RunningPythonComponent> {
  const { config } = o;
  const isContainer = "transport" in config;
  const spec = {
    type: config.type,
    id: config.id,
    classname: config.classname,
    callbacks: config.callbacks ?? {},
    realm: config.realm,
    extra: config.extra ?? null,
    role: "role" in config ? config.role : undefined,
    cbdir: o.nodeDir,
    pythonpath: o.pythonpath,
    loglevel: o.logLevel ?? "info",
    transport: await hostTransport(isContainer ? config.transport : undefined, o.nodeDir),
  };
  const env: Record<string, string> = {
    ...(o.env ?? Deno.env.toObject()),
    [PYTHON_HOST_ENV]: PYTHON_HOST_SOURCE,
    [PYTHON_COMPONENT_ENV]: JSON.stringify(spec),
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
  const child = new Deno.Command(o.python, {
    args: ["-c", PYTHON_BOOTSTRAP],
    env,
    clearEnv: true,
    cwd: o.nodeDir,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const id = config.id;
  const log = o.logger;

  let session = 0;
  let left: StatusEvent | undefined;
  let error: string | undefined;
  const lastLines: string[] = [];
  let settled = false;
  const { promise: started, resolve: startedOk, reject: startedFail } = Promise
    .withResolvers<void>();
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const markStarted = () => {
    clearTimeout(graceTimer);
    if (settled) return;
    settled = true;
    startedOk();
  };
  const onStatus = (e: StatusEvent) => {
    switch (e.event) {
      case "joined":
        session = e.session ?? session;
        clearTimeout(graceTimer);
        graceTimer = setTimeout(markStarted, JOIN_GRACE_MS);
        return;
      case "ready":
        markStarted();
        return;
      case "left":
        left ??= e;
        return;
      case "error":
        error ??= e.message;
        return;
    }
  };

  if (!isContainer) {
    if (!o.router) throw new Error(`component "${id}": a router component needs the router`);
    const acceptor = watchingAcceptor(o.router.acceptor, onStatus);
    new RawSocketConnection(new ChildStdioConn(child, `python-component:${id}`), acceptor, {
      serializers: [cborSerializer, msgpackSerializer, jsonSerializer],
      lengthExponent: lengthExponentFor(16 * 1024 * 1024),
      maxOutboundBytes: 16 * 1024 * 1024,
      handshakeTimeoutMs: 60_000,
      closeTimeoutMs: 1000,
      secure: false,
      transportId: o.router.transportId,
      logger: log,
      admit: () => true,
      release: () => {},
    });
  } else {
    child.stdout.cancel().catch(() => {});
  }

  const stderrDone = (async () => {
    const lines = child.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
    try {
      for await (const raw of lines) {
        const at = raw.indexOf(STATUS_MARK);
        let line = raw;
        if (at >= 0) {
          line = raw.slice(0, at);
          try {
            onStatus(JSON.parse(raw.slice(at + STATUS_MARK.length)) as StatusEvent);
          } catch {
            // a malformed status line is just output
            line = raw;
          }
        }
        if (line.trim() === "") continue;
        // txaio's own timestamp: the worker's log line has one
        line = line.replace(TXAIO_TIME, "");
        lastLines.push(line);
        if (lastLines.length > 20) lastLines.shift();
        log.log("info", line, { component: id });
      }
    } catch {
      // stderr closed abruptly
    }
  })();

  const status = child.status.then(async (s) => {
    await Promise.race([stderrDone, new Promise((r) => setTimeout(r, 500))]);
    clearTimeout(graceTimer);
    return s;
  });

  const why = (code: number | null, signal: string | null): string => {
    if (error) return error;
    if (left && left.reason) return `${left.reason}${left.message ? `: ${left.message}` : ""}`;
    const tail = lastLines.filter((l) => !l.startsWith(" ")).pop();
    return `the Python process ended (${signal ? `signal ${signal}` : `exit code ${code}`})${
      tail ? `: ${tail}` : ""
    }`;
  };

  const ended: Promise<PythonComponentEnd> = status.then((s) => ({
    how: s.code === 0 ? "stopped" : "failed",
    why: s.code === 0 ? (left?.reason ?? "left") : why(s.code, s.signal),
  }));
  status.then((s) => {
    if (settled) return;
    settled = true;
    startedFail(new Error(`component "${id}" did not start: ${why(s.code, s.signal)}`));
  });
  await started;

  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid,
    get session() {
      return session;
    },
    ended,
    stop() {
      stopping ??= (async () => {
        let done = false;
        status.then(() => (done = true));
        try {
          child.kill("SIGTERM");
        } catch {
          return;
        }
        const timer = setTimeout(() => {
          if (!done) {
            try {
              child.kill("SIGKILL");
            } catch {
              // gone
            }
          }
        }, STOP_TIMEOUT_MS);
        await status;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
