/**
 * `xbar stop`: stops the node running in the directory, gracefully.
 *
 * @module
 */

import { connectManagement } from "../src/node/management_client.ts";
import { nodePaths } from "../src/node/node_dir.ts";
import { isLiveNode, runningNode } from "../src/node/pid_file.ts";
import { NodeProcedure } from "../src/worker/management_uris.ts";
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

/** Help of `xbar stop`. */
export const STOP_HELP = `Usage: xbar stop [--dir <dir>] [--timeout <s>]

Stops the node running from the node directory: asks it over its management
socket (or with SIGTERM when the socket does not answer) and waits until the
controller has exited. The node stops its workers gracefully (sessions get
GOODBYE wamp.close.system_shutdown, listeners close, Unix sockets are removed)
and kills those that do not stop in time.

Options:
${DIR_OPTIONS_HELP}
      --timeout <s>      seconds to wait for the node to exit (default 30)
  -h, --help             show this help

${EXIT_CODES_HELP}`;

/** Runs `xbar stop`. */
export async function stop(args: string[]): Promise<number> {
  const v = parseCommandOrHelp(args, {
    ...DIR_OPTIONS,
    timeout: { type: "string" },
  }, STOP_HELP);
  if (!v) return ExitCode.OK;
  const timeout = v.timeout === undefined ? 30 : Number(v.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UsageError(`--timeout: must be a positive number of seconds, got ${v.timeout}`);
  }
  const paths = nodePaths(dirOf(v));
  const rec = await runningNode(paths.pidFile);
  if (!rec) {
    out(`no node is running in ${paths.dir}`);
    return ExitCode.NOT_RUNNING;
  }
  try {
    const s = await connectManagement(rec.socket || paths.socket, { timeoutMs: 3000 });
    await s.call(NodeProcedure.SHUTDOWN);
    await s.leave().catch(() => {});
  } catch (e) {
    err(
      `xbar: the management socket does not answer (${
        e instanceof Error ? e.message : e
      }); sending SIGTERM to ${rec.pid}`,
    );
    try {
      Deno.kill(rec.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeout * 1000;
  while (isLiveNode(rec)) {
    if (Date.now() > deadline) {
      err(`xbar: the node (pid ${rec.pid}) did not exit within ${timeout} s`);
      return ExitCode.ERROR;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  out(`stopped node in ${paths.dir} (pid ${rec.pid})`);
  return ExitCode.OK;
}
