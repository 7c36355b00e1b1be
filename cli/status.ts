/**
 * `xbar status`: is a node running in the directory, and how are its workers.
 *
 * @module
 */

import type { Dict } from "../src/wamp/messages.ts";
import { connectManagement } from "../src/node/management_client.ts";
import { nodePaths } from "../src/node/node_dir.ts";
import { readPidFile, runningNode } from "../src/node/pid_file.ts";
import { NodeProcedure, WorkerOp, workerUri } from "../src/worker/management_uris.ts";
import {
  DIR_OPTIONS,
  DIR_OPTIONS_HELP,
  dirOf,
  err,
  EXIT_CODES_HELP,
  ExitCode,
  out,
  parseCommand,
  UsageError,
} from "./_options.ts";

/** Help of `xbar status`. */
export const STATUS_HELP = `Usage: xbar status [--dir <dir>] [--json] [--assert running|stopped]

Shows whether a node is running from the node directory and the state of its
workers (asked over the node's management socket), and for each running router
worker its links to the node's other router workers: realm, peer router, who
dialed (->: this worker, <-: the peer), state, remote sessions, bytes queued.

Options:
${DIR_OPTIONS_HELP}
      --json             print one JSON object: {"running": bool, "status": ..., "workers": [...]}
      --assert <state>   running or stopped (Crossbar's option): exit 0 when the node is in that
                         state, 1 when it is not
  -h, --help             show this help

${EXIT_CODES_HELP}`;

/** Runs `xbar status`. */
export async function status(args: string[]): Promise<number> {
  const v = parseCommand(args, {
    ...DIR_OPTIONS,
    json: { type: "boolean" },
    assert: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    out(STATUS_HELP);
    return ExitCode.OK;
  }
  if (v.assert !== undefined && v.assert !== "running" && v.assert !== "stopped") {
    throw new UsageError(`--assert: must be running or stopped, got ${JSON.stringify(v.assert)}`);
  }
  const paths = nodePaths(dirOf(v));
  const rec = await runningNode(paths.pidFile);
  if (v.assert !== undefined) {
    const state = rec ? "running" : "stopped";
    const held = state === v.assert;
    if (v.json) out(JSON.stringify({ assert: v.assert, state, ok: held, dir: paths.dir }));
    else {
      (held ? out : err)(
        `assert ${v.assert} ${held ? "succeeded" : "failed"}: the node in ${paths.dir} is ${state}`,
      );
    }
    return held ? ExitCode.OK : ExitCode.ERROR;
  }
  if (!rec) {
    const stale = await readPidFile(paths.pidFile).catch(() => undefined);
    if (v.json) out(JSON.stringify({ running: false, dir: paths.dir, stale_pid: stale?.pid }));
    else {
      out(
        `stopped: no node is running in ${paths.dir}${
          stale ? ` (stale pid file: pid ${stale.pid} is gone)` : ""
        }`,
      );
    }
    return ExitCode.NOT_RUNNING;
  }
  let status: Dict;
  let workers: Dict[];
  try {
    const s = await connectManagement(rec.socket || paths.socket, { timeoutMs: 3000 });
    try {
      status = (await s.call(NodeProcedure.GET_STATUS)).args[0] as Dict;
      workers = (await s.call(NodeProcedure.GET_WORKERS)).args[0] as Dict[];
      for (const w of workers) {
        if (w.type !== "router" || w.state !== "running") continue;
        try {
          w.links = (await s.call(workerUri(String(w.id), WorkerOp.GET_LINKS))).args[0];
        } catch {
          // the worker is restarting or does not answer: its links are unknown
        }
      }
    } finally {
      await s.leave().catch(() => {});
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (v.json) out(JSON.stringify({ running: true, responding: false, pid: rec.pid, error: why }));
    else {err(
        `xbar: a node runs in ${paths.dir} (pid ${rec.pid}) but its management socket does not answer: ${why}`,
      );}
    return ExitCode.CONFLICT;
  }
  if (v.json) {
    out(JSON.stringify({ running: true, status, workers }));
    return ExitCode.OK;
  }
  out(
    `running: node ${status.node} (pid ${status.pid}), up ${status.uptime} s, xbar ${status.version}`,
  );
  out(`directory: ${status.directory}`);
  out(`config: ${status.config}`);
  out(`workers: ${workers.length}`);
  for (const w of workers) {
    const exit = w.last_exit as Dict | undefined;
    const replica = w.replica as Dict | undefined;
    out(
      `  ${String(w.id).padEnd(12)} ${String(w.type).padEnd(9)} ${String(w.state).padEnd(10)}` +
        `${w.pid ? ` pid ${w.pid}` : ""} restarts ${w.restarts}` +
        (replica ? `, replica ${replica.index}/${replica.count} of ${replica.of}` : "") +
        (exit
          ? `, last exit ${
            exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`
          } at ${exit.at}`
          : ""),
    );
    for (const l of (w.links ?? []) as Dict[]) out(`      ${describeLink(l)}`);
  }
  return ExitCode.OK;
}

/** One line for a router link: realm, peer, who dialed, state, remote sessions, queued bytes. */
export function describeLink(l: Dict): string {
  const up = l.state === "up";
  return `link ${l.realm} ${l.dialed ? "->" : "<-"} ${l.peer}: ${l.state}` +
    (up
      ? `${l.synced === false ? " (syncing)" : ""}, ${l.remote_sessions} remote session${
        l.remote_sessions === 1 ? "" : "s"
      }, ${l.queued_bytes} bytes queued`
      : l.last_error
      ? ` (${l.last_error})`
      : "");
}
