/**
 * A router's figures as metric families (labels `realm`, `transport`; the
 * controller adds `worker`): the counters the router keeps
 * (`src/router/router_metrics.ts`), gauges read at scrape time (sessions,
 * connections, bytes queued to peers), and a router worker's links from
 * their status (`RouterLinks.status()`).
 *
 * Sessions of linked routers are left out: each worker reports its own, so
 * a node-wide sum counts every session once.
 *
 * @module
 */

import type { Dict } from "../wamp/messages.ts";
import { messageTypeName } from "../wamp/messages.ts";
import type { Router } from "../router/router.ts";
import { MESSAGE_TYPE_SLOTS } from "../router/router_metrics.ts";
import { type Labels, type MetricFamily, scalar } from "./metric_family.ts";

/** Node-wide message totals (all transports), for rates. */
export interface MessageTotals {
  /** WAMP messages received by routers. */
  received: number;
  /** WAMP messages sent by routers. */
  sent: number;
  /** Calls routed. */
  calls: number;
  /** Events delivered. */
  events: number;
}

/** The totals of one router. */
export function messageTotals(router: Router): MessageTotals {
  const out: MessageTotals = { received: 0, sent: 0, calls: 0, events: 0 };
  for (const t of router.metrics.traffic.values()) {
    for (let i = 0; i < MESSAGE_TYPE_SLOTS; i++) {
      out.received += t.received[i];
      out.sent += t.sent[i];
    }
  }
  for (const r of router.realms()) {
    out.calls += r.metrics.callsRouted;
    out.events += r.metrics.eventsDelivered;
  }
  return out;
}

/** The router's families (no `worker` label). */
export function routerFamilies(router: Router): MetricFamily[] {
  const connections = new Map<string, number>();
  const queued = new Map<string, number>();
  for (const s of router.connections()) {
    if (s.state === "link") continue; // reported with the links
    const type = s.peer.info.type;
    connections.set(type, (connections.get(type) ?? 0) + 1);
    queued.set(type, (queued.get(type) ?? 0) + (s.peer.queuedBytes?.() ?? 0));
  }
  const byTransport = (m: Map<string, number>): [Labels, number][] =>
    [...m].map(([transport, v]) => [{ transport }, v]);

  const received = scalar(
    "xbar_messages_received",
    "counter",
    "WAMP messages received from peers, by transport type and message type.",
  );
  const sent = scalar(
    "xbar_messages_sent",
    "counter",
    "WAMP messages sent to peers, by transport type and message type.",
  );
  const violations = scalar(
    "xbar_protocol_violations",
    "counter",
    "Sessions aborted for a protocol violation (bad or undecodable message, wrong state).",
  );
  const slow = scalar(
    "xbar_slow_consumer_closes",
    "counter",
    "Sessions closed because their peer read too slowly (outbound queue bound exceeded).",
  );
  const authFailures = scalar(
    "xbar_authentication_failures",
    "counter",
    "Handshakes refused by the authenticator, by authentication method.",
  );
  for (const [transport, t] of router.metrics.traffic) {
    for (let i = 0; i < MESSAGE_TYPE_SLOTS; i++) {
      const name = messageTypeName[i];
      if (name === undefined) continue;
      if (t.received[i] > 0) received.samples.push([{ transport, type: name }, t.received[i]]);
      if (t.sent[i] > 0) sent.samples.push([{ transport, type: name }, t.sent[i]]);
    }
    violations.samples.push([{ transport }, t.protocolViolations]);
    slow.samples.push([{ transport }, t.slowConsumers]);
    for (const [method, n] of t.authFailures.values) {
      authFailures.samples.push([{ transport, method }, n]);
    }
  }

  const sessions = scalar(
    "xbar_sessions",
    "gauge",
    "Sessions joined, by realm and transport type.",
  );
  const opened = scalar(
    "xbar_sessions_opened",
    "counter",
    "Sessions that joined, by realm and transport type.",
  );
  const closed = scalar(
    "xbar_sessions_closed",
    "counter",
    "Sessions that left, by realm, transport type and close reason.",
  );
  const calls = scalar(
    "xbar_calls_routed",
    "counter",
    "Calls routed to a callee (counted by the caller's router).",
  );
  const callErrors = scalar(
    "xbar_call_errors",
    "counter",
    "ERRORs answering CALLs, by realm and error URI.",
  );
  const published = scalar(
    "xbar_events_published",
    "counter",
    "Publications accepted from this router's sessions.",
  );
  const delivered = scalar(
    "xbar_events_delivered",
    "counter",
    "EVENTs sent to this router's sessions.",
  );
  const durations: MetricFamily = {
    name: "xbar_call_duration_seconds",
    help:
      "Time from a routed CALL to its final RESULT or ERROR (or its cancel, timeout or the end of a party).",
    type: "histogram",
    bounds: [],
    samples: [],
  };
  for (const r of router.realms()) {
    const realm = r.name;
    const m = r.metrics;
    const here = new Map<string, number>();
    for (const s of r.sessions.values()) {
      if (s.link) continue;
      const type = (s as { peer?: { info: { type: string } } }).peer?.info.type ?? "local";
      here.set(type, (here.get(type) ?? 0) + 1);
    }
    for (const [transport, n] of here) sessions.samples.push([{ realm, transport }, n]);
    for (const [transport, n] of m.sessionsOpened.values) {
      opened.samples.push([{ realm, transport }, n]);
    }
    for (const [key, n] of m.sessionsClosed.values) {
      const [transport, reason] = key === "other" ? ["other", "other"] : key.split("\n");
      closed.samples.push([{ realm, transport, reason }, n]);
    }
    calls.samples.push([{ realm }, m.callsRouted]);
    for (const [error, n] of m.callErrors.values) callErrors.samples.push([{ realm, error }, n]);
    published.samples.push([{ realm }, m.eventsPublished]);
    delivered.samples.push([{ realm }, m.eventsDelivered]);
    const h = m.callDuration;
    durations.bounds = [...h.bounds];
    durations.samples.push([{ realm }, [...h.counts], h.sum, h.count]);
  }

  return [
    scalar(
      "xbar_connections",
      "gauge",
      "Open connections with a session (any state), by transport type; router links apart.",
      byTransport(connections),
    ),
    scalar(
      "xbar_queued_bytes",
      "gauge",
      "Bytes queued to peers and not yet written, by transport type (where the transport knows).",
      byTransport(queued),
    ),
    received,
    sent,
    violations,
    slow,
    authFailures,
    sessions,
    opened,
    closed,
    calls,
    callErrors,
    durations,
    published,
    delivered,
  ];
}

function n(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/**
 * A router worker's links (`RouterLinks.status()` entries: realm, peer,
 * state, remote_sessions, queued_bytes, frames, calls and events counters)
 * as families with labels `realm` and `peer`.
 */
export function linkFamilies(status: Dict[]): MetricFamily[] {
  const up = scalar("xbar_link_up", "gauge", "1 while the router link is up, else 0.");
  const failures = scalar(
    "xbar_link_dial_failures",
    "gauge",
    "Failed attempts in a row to establish a router link this worker dials (0 once it is up).",
  );
  const remote = scalar(
    "xbar_link_remote_sessions",
    "gauge",
    "Sessions of the peer router known through the link.",
  );
  const queued = scalar(
    "xbar_link_queued_bytes",
    "gauge",
    "Bytes queued to the peer router and not yet written.",
  );
  const frames = scalar("xbar_link_frames", "counter", "Link frames, by direction (in, out).");
  const calls = scalar("xbar_link_calls", "counter", "Calls across the link, by direction.");
  const refused = scalar(
    "xbar_link_calls_refused",
    "counter",
    "Calls refused because the link was congested.",
  );
  const events = scalar(
    "xbar_link_events",
    "counter",
    "Publications across the link, by direction.",
  );
  const dropped = scalar(
    "xbar_link_events_dropped",
    "counter",
    "Publications dropped because the link was congested or they could not be sent.",
  );
  for (const l of status) {
    const labels = { realm: String(l.realm ?? ""), peer: String(l.peer ?? "") };
    up.samples.push([labels, l.state === "up" ? 1 : 0]);
    if (l.dialed === true) failures.samples.push([labels, n(l.failures)]);
    if (l.state !== "up") continue;
    remote.samples.push([labels, n(l.remote_sessions)]);
    queued.samples.push([labels, n(l.queued_bytes)]);
    frames.samples.push([{ ...labels, direction: "in" }, n(l.frames_in)]);
    frames.samples.push([{ ...labels, direction: "out" }, n(l.frames_out)]);
    calls.samples.push([{ ...labels, direction: "in" }, n(l.calls_in)]);
    calls.samples.push([{ ...labels, direction: "out" }, n(l.calls_out)]);
    refused.samples.push([labels, n(l.calls_refused)]);
    events.samples.push([{ ...labels, direction: "in" }, n(l.events_in)]);
    events.samples.push([{ ...labels, direction: "out" }, n(l.events_out)]);
    dropped.samples.push([labels, n(l.events_dropped)]);
  }
  return [up, failures, remote, queued, frames, calls, refused, events, dropped];
}
