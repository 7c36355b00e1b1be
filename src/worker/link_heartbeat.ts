/**
 * The heartbeat of the links between a node's own router workers (a light
 * module: the router worker needs it before it imports `router_links.ts`).
 *
 * @module
 */

/** Heartbeat of links between the router workers of a node, ms (three missed close a link). */
export const LOCAL_LINK_HEARTBEAT_MS = 1000;
