/**
 * Names on the node management realm, shared by the controller (which runs
 * the management router) and the workers (which join it over their frame
 * channel). Application realms never see any of these: the management
 * router lives in the controller process and is reachable only over worker
 * stdio and the node directory's Unix socket.
 *
 * Public procedures (`xbar.*`, `xbar.worker.<id>.*`) are registered by the
 * controller; the controller forwards worker operations to the worker's own
 * procedures under `xbar.internal.worker.<id>.*`, which only the controller
 * may call.
 *
 * @module
 */

/** The management realm of the controller's router. */
export const MANAGEMENT_REALM = "xbar.node";

/** Procedures of the node (registered by the controller). */
export const NodeProcedure = {
  GET_STATUS: "xbar.get_status",
  GET_CONFIG: "xbar.get_config",
  GET_WORKERS: "xbar.get_workers",
  GET_WORKER: "xbar.get_worker",
  START_WORKER: "xbar.start_worker",
  STOP_WORKER: "xbar.stop_worker",
  RESTART_WORKER: "xbar.restart_worker",
  GET_WORKER_LOGS: "xbar.get_worker_logs",
  GET_PROCESS_STATS: "xbar.get_process_stats",
  /** The whole node's metric families (every worker's, labelled `worker`); workers may call it. */
  GET_METRICS: "xbar.get_metrics",
  /** The node summary of the status page and `xbar status`; workers may call it. */
  GET_SUMMARY: "xbar.get_summary",
  SHUTDOWN: "xbar.shutdown",
} as const;

/** Operations on one worker: `xbar.worker.<id>.<op>` (public) and `xbar.internal.worker.<id>.<op>` (the worker's own). */
export const WorkerOp = {
  GET_REALMS: "get_realms",
  START_REALM: "start_realm",
  STOP_REALM: "stop_realm",
  GET_TRANSPORTS: "get_transports",
  START_TRANSPORT: "start_transport",
  STOP_TRANSPORT: "stop_transport",
  GET_COMPONENTS: "get_components",
  START_COMPONENT: "start_component",
  STOP_COMPONENT: "stop_component",
  /** Internal: hands the worker its own config (container options; the guest program to run). */
  CONFIGURE: "configure",
  /** Router links: status of this router worker's links to other routers. */
  GET_LINKS: "get_links",
  /** Internal: the links a router worker dials (`[{realm, peer, path}]`: the controller's mesh plan). */
  SET_LINKS: "set_links",
  /** Internal: a peer router worker exited (`[router id, false]`) or is back (`[router id, true]`). */
  LINK_PEER: "link_peer",
  GET_PROCESS_STATS: "get_process_stats",
  /** This worker's metric families (no `worker` label: the controller adds it). */
  GET_METRICS: "get_metrics",
  /** This worker's part of the node summary (process, realms, transports, links, totals, warnings). */
  GET_SUMMARY: "get_summary",
  GET_LOGS: "get_logs",
  SHUTDOWN: "shutdown",
} as const;

/** One worker operation name. */
export type WorkerOpName = typeof WorkerOp[keyof typeof WorkerOp];

/** Public URI of a worker operation (registered by the controller). */
export function workerUri(workerId: string, op: WorkerOpName): string {
  return `xbar.worker.${workerId}.${op}`;
}

/** Prefix of every worker's own procedures (only the controller may call them). */
export const INTERNAL_PREFIX = "xbar.internal.";

/** The worker's own URI of an operation. */
export function internalWorkerUri(workerId: string, op: WorkerOpName): string {
  return `${INTERNAL_PREFIX}worker.${workerId}.${op}`;
}

/** Called by a worker once its procedures are registered: `{id, type, pid}`. */
export const WORKER_READY = `${INTERNAL_PREFIX}controller.worker_ready`;

/** Error URIs of the management API. */
export const ManagementError = {
  NO_SUCH_WORKER: "xbar.error.no_such_worker",
  WORKER_NOT_RUNNING: "xbar.error.worker_not_running",
  WORKER_EXISTS: "xbar.error.worker_already_exists",
  INVALID_CONFIG: "xbar.error.invalid_config",
  ALREADY_RUNNING: "xbar.error.already_running",
  NOT_RUNNING: "xbar.error.not_running",
  START_FAILED: "xbar.error.start_failed",
  NOT_SUPPORTED: "xbar.error.not_supported",
  SHUTTING_DOWN: "xbar.error.shutting_down",
} as const;

/** Roles on the management realm. */
export const ManagementRole = {
  /** The controller's own session. */
  CONTROLLER: "controller",
  /** A worker over its frame channel. */
  WORKER: "worker",
  /** A client over the node directory's Unix socket (`xbar status`, `xbar stop`, tools). */
  ADMIN: "admin",
} as const;
