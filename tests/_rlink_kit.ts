/**
 * Two or more xbar nodes configured the way Crossbar's rlink test configures
 * two Crossbar nodes (crossbario/crossbar test/functests/cbtests/
 * test_cb_rlink.py): realm1 with roles `anonymous` and `rlink`, a RawSocket
 * transport whose cryptosign principal `rlink` lists every node's key, a
 * WebSocket transport for clients, and on realm1 an rlink (CBOR over
 * RawSocket) to every other node, with `forward_local_*` true and
 * `forward_remote_*` false.
 *
 * @module
 */

import { loadOrCreateNodeKey } from "../src/node/node_key.ts";
import { tempNodeDir, writeConfig } from "./_node_kit.ts";

/** One node's place: its directory, key, address and ports. */
export interface RlinkNode {
  /** Node directory. */
  dir: string;
  /** Node public key (hex). */
  publicKey: string;
  /** Address its transports listen on and others dial. */
  host: string;
  /** RawSocket port (links). */
  rawsocketPort: number;
  /** WebSocket port (clients). */
  wsPort: number;
}

/** Makes the node directories with keys; `hosts[i]` and ports are where node i listens. */
export async function rlinkNodes(
  places: { host: string; rawsocketPort: number; wsPort: number }[],
): Promise<RlinkNode[]> {
  const nodes: RlinkNode[] = [];
  for (const p of places) {
    const dir = await tempNodeDir();
    const key = await loadOrCreateNodeKey(dir);
    nodes.push({ dir, publicKey: key.publicKey, ...p });
  }
  return nodes;
}

/** Writes node `i`'s config (Crossbar format, plus `heartbeat_interval` when given). */
export async function writeRlinkConfig(
  nodes: RlinkNode[],
  i: number,
  options: { heartbeatMs?: number; interface?: string; replicas?: number } = {},
): Promise<void> {
  const me = nodes[i];
  const allow = { call: true, register: true, publish: true, subscribe: true };
  const rlinks = nodes.flatMap((peer, j) =>
    j === i ? [] : [{
      id: `to_node${j}`,
      realm: "realm1",
      forward_local_invocations: true,
      forward_remote_invocations: false,
      forward_local_events: true,
      forward_remote_events: false,
      ...(options.heartbeatMs ? { heartbeat_interval: options.heartbeatMs } : {}),
      transport: {
        type: "rawsocket",
        serializer: "cbor",
        endpoint: { type: "tcp", host: peer.host, port: peer.rawsocketPort },
        url: `rs://${peer.host}:${peer.rawsocketPort}`,
      },
    }]
  );
  const replicated = (options.replicas ?? 1) > 1;
  await writeConfig(me.dir, {
    version: 2,
    controller: {},
    workers: [{
      type: "router",
      ...(replicated ? { id: "edge", replicas: options.replicas } : {}),
      realms: [{
        name: "realm1",
        rlinks,
        roles: ["anonymous", "rlink"].map((name) => ({
          name,
          permissions: [{
            uri: "",
            match: "prefix",
            allow,
            disclose: { caller: true, publisher: true },
            cache: true,
          }],
        })),
      }],
      transports: [
        {
          type: "rawsocket",
          endpoint: {
            type: "tcp",
            port: me.rawsocketPort,
            interface: options.interface ?? me.host,
            backlog: 1024,
            ...(replicated ? { shared: true } : {}),
          },
          options: { max_message_size: 1048576 },
          serializers: ["cbor", "msgpack", "json"],
          auth: {
            cryptosign: {
              type: "static",
              principals: {
                rlink: {
                  realm: "realm1",
                  role: "rlink",
                  authorized_keys: nodes.map((n) => n.publicKey),
                },
              },
            },
          },
        },
        {
          type: "web",
          endpoint: {
            type: "tcp",
            port: me.wsPort,
            interface: options.interface ?? me.host,
            ...(replicated ? { shared: true } : {}),
          },
          paths: {
            ws: { type: "websocket", serializers: ["cbor", "msgpack", "json"] },
          },
        },
      ],
    }],
  });
}
