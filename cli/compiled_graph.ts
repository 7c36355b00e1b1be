/**
 * The modules xbar imports with `importLater` (`src/import_later.ts`: a
 * specifier `deno run` does not prepare up front), imported here with
 * literal specifiers so that `deno compile` embeds them in the single
 * executable: its generated entry imports this module
 * (`scripts/single_executable.ts`). Nothing calls these functions; the
 * test beside this file checks that every `importLater` target is listed.
 *
 * @module
 */

/** One literal `import()` per module imported with `importLater`. */
export const COMPILED_GRAPH: readonly (() => Promise<unknown>)[] = [
  // commands (cli/xbar.ts)
  () => import("./init.ts"),
  () => import("./start.ts"),
  () => import("./stop.ts"),
  () => import("./status.ts"),
  () => import("./check.ts"),
  () => import("./convert.ts"),
  () => import("./keys.ts"),
  () => import("./worker.ts"),
  // the config checks, the controller and the node key (cli/start.ts)
  () => import("../src/config/load_config.ts"),
  () => import("../src/config/format.ts"),
  () => import("../src/worker/component_check.ts"),
  () => import("../src/worker/environment_rules.ts"),
  () => import("../src/node/controller.ts"),
  () => import("../src/node/node_key.ts"),
  // the process title, when the config names one (src/node/controller.ts)
  () => import("../src/node/process_title.ts"),
  // worker hosts (cli/worker_entry.ts)
  () => import("../src/worker/router_worker.ts"),
  () => import("../src/worker/container_worker.ts"),
  () => import("../src/worker/guest_worker.ts"),
  // router components (src/worker/router_worker.ts)
  () => import("../src/worker/component.ts"),
  () => import("../src/worker/python/interpreter.ts"),
  () => import("../src/worker/python/python_component.ts"),
  // router links and rlinks (src/worker/router_worker.ts)
  () => import("../src/router/link/link_identity.ts"),
  () => import("../src/router/link/link_manager.ts"),
  () => import("../src/worker/router_links.ts"),
  () => import("../src/worker/rlinks.ts"),
  () => import("../src/config/rlink_trust.ts"),
  // transports (src/worker/router_transports.ts)
  () => import("../src/transport/connection_tracker.ts"),
  () => import("../src/transport/websocket_upgrade.ts"),
  () => import("../src/worker/http_listener.ts"),
  () => import("../src/transport/rawsocket_server.ts"),
  () => import("../src/transport/web.ts"),
  // authentication methods (src/worker/auth_methods.ts)
  () => import("../src/router/authn/ticket.ts"),
  () => import("../src/router/authn/wampcra.ts"),
  () => import("../src/router/authn/cryptosign.ts"),
  // serializers' npm packages (src/serializer/msgpack.ts, cbor.ts)
  () => import("msgpackr"),
  // permessage-deflate with the client's context takeover (src/transport/websocket_deflate.ts)
  () => import("fflate"),
  () => import("cbor-x"),
];
