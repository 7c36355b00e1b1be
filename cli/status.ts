/**
 * `xbar status`: is a node running in the directory, and how is it: the
 * summary of its status page (workers, realms, transports, links, rates,
 * recent warnings); `--watch` refreshes it until interrupted.
 *
 * @module
 */

import type { Dict } from "../src/wamp/messages.ts";
import type { NodeSummary } from "../src/metrics/node_summary.ts";
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
  parseCommandOrHelp,
  UsageError,
} from "./_options.ts";
import { statusLines } from "./_status_text.ts";

export { describeLink } from "./_status_text.ts";

/** Help of `xbar status`. */
export const STATUS_HELP =
  `Usage: xbar status [--dir <dir>] [--json] [--watch [--interval <s>]] [--assert running|stopped]

Shows whether a node is running from the node directory and how it is (asked
over the node's management socket): the node and its public key, message
rates, every worker (state, pid, restarts, memory, CPU) with, for router
workers, their links to the node's other router workers (realm, peer router,
who dialed (->: this worker, <-: the peer), state, remote sessions, bytes
queued), realms with their sessions, transports with their addresses, and
recent warnings. The same summary is the node's status page (web service
"nodeinfo").

Options:
${DIR_OPTIONS_HELP}
      --json             print one JSON object: {"running": bool, "status": ..., "workers": [...], "summary": ...}
  -w, --watch            refresh until interrupted (with --json: one object per line)
      --interval <s>     seconds between refreshes with --watch (default 2)
      --assert <state>   running or stopped (Crossbar's option): exit 0 when the node is in that
                         state, 1 when it is not
  -h, --help             show this help

${EXIT_CODES_HELP}`;

type Snapshot =
  | { kind: "stopped"; dir: string; stalePid?: number }
  | { kind: "silent"; pid: number; error: string }
  | { kind: "running"; status: Dict; workers: Dict[]; summary?: NodeSummary };

async function snapshot(dir: string): Promise<Snapshot> {
  const paths = nodePaths(dir);
  const rec = await runningNode(paths.pidFile);
  if (!rec) {
    const stale = await readPidFile(paths.pidFile).catch(() => undefined);
    return { kind: "stopped", dir: paths.dir, stalePid: stale?.pid };
  }
  try {
    const s = await connectManagement(rec.socket || paths.socket, { timeoutMs: 3000 });
    try {
      const status = (await s.call(NodeProcedure.GET_STATUS)).args[0] as Dict;
      const workers = (await s.call(NodeProcedure.GET_WORKERS)).args[0] as Dict[];
      for (const w of workers) {
        if (w.type !== "router" || w.state !== "running") continue;
        try {
          w.links = (await s.call(workerUri(String(w.id), WorkerOp.GET_LINKS))).args[0];
        } catch {
          // the worker is restarting or does not answer: its links are unknown
        }
      }
      let summary: NodeSummary | undefined;
      try {
        summary = (await s.call(NodeProcedure.GET_SUMMARY)).args[0] as NodeSummary;
      } catch {
        // an older node without the summary: status and workers only
      }
      return { kind: "running", status, workers, summary };
    } finally {
      await s.leave().catch(() => {});
    }
  } catch (e) {
    return { kind: "silent", pid: rec.pid, error: e instanceof Error ? e.message : String(e) };
  }
}

function show(snap: Snapshot, json: boolean, dir: string): number {
  switch (snap.kind) {
    case "stopped":
      if (json) out(JSON.stringify({ running: false, dir: snap.dir, stale_pid: snap.stalePid }));
      else {
        out(
          `stopped: no node is running in ${snap.dir}${
            snap.stalePid !== undefined ? ` (stale pid file: pid ${snap.stalePid} is gone)` : ""
          }`,
        );
      }
      return ExitCode.NOT_RUNNING;
    case "silent":
      if (json) {
        out(JSON.stringify({ running: true, responding: false, pid: snap.pid, error: snap.error }));
      } else {
        err(
          `xbar: a node runs in ${dir} (pid ${snap.pid}) but its management socket does not answer: ${snap.error}`,
        );
      }
      return ExitCode.CONFLICT;
    case "running":
      if (json) {
        out(JSON.stringify({
          running: true,
          status: snap.status,
          workers: snap.workers,
          ...(snap.summary ? { summary: snap.summary } : {}),
        }));
      } else {
        out(statusLines(snap.status, snap.workers, snap.summary).join("\n"));
      }
      return ExitCode.OK;
  }
}

/** Runs `xbar status`. */
export async function status(args: string[]): Promise<number> {
  const v = parseCommandOrHelp(args, {
    ...DIR_OPTIONS,
    json: { type: "boolean" },
    watch: { type: "boolean", short: "w" },
    interval: { type: "string" },
    assert: { type: "string" },
  }, STATUS_HELP);
  if (!v) return ExitCode.OK;
  if (v.assert !== undefined && v.assert !== "running" && v.assert !== "stopped") {
    throw new UsageError(`--assert: must be running or stopped, got ${JSON.stringify(v.assert)}`);
  }
  const dir = dirOf(v);
  const json = v.json === true;
  if (v.assert !== undefined) {
    if (v.watch) throw new UsageError("--assert: not with --watch");
    const paths = nodePaths(dir);
    const state = (await runningNode(paths.pidFile)) ? "running" : "stopped";
    const held = state === v.assert;
    if (json) out(JSON.stringify({ assert: v.assert, state, ok: held, dir: paths.dir }));
    else {
      (held ? out : err)(
        `assert ${v.assert} ${held ? "succeeded" : "failed"}: the node in ${paths.dir} is ${state}`,
      );
    }
    return held ? ExitCode.OK : ExitCode.ERROR;
  }
  if (!v.watch) {
    if (v.interval !== undefined) throw new UsageError("--interval: only with --watch");
    return show(await snapshot(dir), json, dir);
  }
  const interval = v.interval === undefined ? 2 : Number(v.interval);
  if (!(interval >= 0.1 && interval <= 3600)) {
    throw new UsageError(
      `--interval: must be seconds between 0.1 and 3600, got ${JSON.stringify(v.interval)}`,
    );
  }
  return await watch(dir, json, interval * 1000);
}

/** Refreshes until SIGINT or SIGTERM; exits with the code of the last refresh. */
async function watch(dir: string, json: boolean, everyMs: number): Promise<number> {
  const clear = !json && Deno.stdout.isTerminal();
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const s of signals) Deno.addSignalListener(s, stop);
  let code: number = ExitCode.OK;
  try {
    for (;;) {
      const snap = await snapshot(dir);
      if (clear) out("\x1b[H\x1b[2J");
      code = show(snap, json, dir);
      if (!json && !clear) out(`-- ${new Date().toISOString()} (every ${everyMs / 1000} s)`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = new Promise<"next">((r) => (timer = setTimeout(() => r("next"), everyMs)));
      const outcome = await Promise.race([next, stopped.then(() => "stop" as const)]);
      clearTimeout(timer);
      if (outcome === "stop") return code;
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}
