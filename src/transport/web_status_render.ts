/**
 * HTML of the live status page (`web_status_page.ts`): the whole page for a
 * first load (a complete plain summary without JavaScript) and the same
 * sections alone for each update the page's script swaps in. Everything is
 * rendered here, on the server, from a `NodeSummary`, with every text
 * escaped; rates are drawn as small inline SVG charts.
 *
 * @module
 */

import type { NodeSummary } from "../metrics/node_summary.ts";
import { formatBytes, formatRate, formatUptime } from "../metrics/format.ts";

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = (v: unknown) => escapeHtml(String(v ?? ""));

/** A table; header names starting with `#` are numeric columns (right-aligned). */
function table(head: string[], rows: string[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${e(empty)}</p>`;
  const th = (h: string) =>
    h.startsWith("#") ? `<th class="num">${e(h.slice(1))}</th>` : `<th>${e(h)}</th>`;
  return `<table><thead><tr>${head.map(th).join("")}</tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
}

const cell = (v: unknown, cls = "") => `<td${cls ? ` class="${cls}"` : ""}>${e(v)}</td>`;

/** A small line chart of `series` (each an index into `points` rows) over time. */
function chart(
  title: string,
  points: NodeSummary["history"],
  series: { index: number; label: string; cls: string; now: number | undefined }[],
): string {
  const w = 300;
  const h = 60;
  let max = 1;
  for (const p of points) for (const s of series) max = Math.max(max, p[s.index]);
  const t0 = points.length > 0 ? points[0][0] : 0;
  const t1 = points.length > 0 ? points[points.length - 1][0] : 1;
  const span = Math.max(1, t1 - t0);
  const lines = series.map((s) => {
    const xy = points.map((p) =>
      // x: time, y: rate (0 at the bottom)
      `${(((p[0] - t0) / span) * w).toFixed(1)},${
        (h - (p[s.index] / max) * (h - 4) - 2).toFixed(1)
      }`
    );
    return xy.length > 1
      ? `<polyline class="${s.cls}" fill="none" stroke-width="1.5" ` +
        `vector-effect="non-scaling-stroke" points="${xy.join(" ")}"/>`
      : "";
  }).join("");
  const legend = series.map((s) =>
    `<span class="key ${s.cls}">${e(s.label)} <b>${e(formatRate(s.now))}</b>/s</span>`
  ).join(" ");
  const peak = `${formatRate(max)}/s`;
  return `<figure class="chart"><figcaption>${e(title)} ${legend}` +
    `<span class="peak">peak ${e(peak)}</span></figcaption>` +
    `<svg viewBox="0 0 ${w} ${h}" width="100%" height="${h}" preserveAspectRatio="none" ` +
    `role="img" aria-label="${e(title)} over the last ${points.length} samples, peak ${e(peak)}">` +
    `<line class="axis" x1="0" y1="${h - 1}" x2="${w}" y2="${h - 1}" ` +
    `vector-effect="non-scaling-stroke"/>${lines}</svg></figure>`;
}

/** The sections that updates replace, by element id. */
export function renderSections(
  s: NodeSummary,
  extra: Record<string, string> = {},
): Record<string, string> {
  const facts: [string, string][] = [
    ["node", s.node],
    ["version", s.version],
    ["state", s.state],
    ["uptime", formatUptime(s.uptime)],
    ["started", s.started],
    ...Object.entries(extra),
  ];
  if (s.public_key) facts.splice(1, 0, ["public key", s.public_key]);
  const node = `<dl>${
    facts.map(([k, v]) =>
      `<dt>${e(k)}</dt><dd${k === "public key" ? ' class="key"' : ""}>${e(v)}</dd>`
    ).join("")
  }</dl>`;

  const r = s.rates;
  const rates = chart("Messages", s.history, [
    { index: 1, label: "in", cls: "s1", now: r?.received },
    { index: 2, label: "out", cls: "s2", now: r?.sent },
  ]) + chart("Routing", s.history, [
    { index: 3, label: "calls", cls: "s3", now: r?.calls },
    { index: 4, label: "events", cls: "s4", now: r?.events },
  ]) +
    `<p class="totals">since start: ${e(s.totals.received)} messages in, ${e(s.totals.sent)} out, ${
      e(s.totals.calls)
    } calls, ${e(s.totals.events)} events delivered</p>`;

  const workers = table(
    ["worker", "type", "state", "#pid", "#restarts", "#RSS", "#heap", "#CPU"],
    s.workers.map((w) =>
      `<tr data-worker="${e(w.id)}" data-state="${e(w.state)}">` +
      cell(w.id + (w.replica ? ` (${w.replica})` : "")) + cell(w.type) +
      cell(w.state, `state-${w.state}`) + cell(w.pid ?? "", "num") +
      cell(w.restarts, "num") + cell(formatBytes(w.rss), "num") +
      cell(formatBytes(w.heap_used), "num") +
      cell(
        w.cpu_seconds === undefined
          ? ""
          : `${w.cpu_seconds.toFixed(1)} s${
            w.cpu_percent === undefined ? "" : ` (${w.cpu_percent.toFixed(0)} %)`
          }`,
        "num",
      ) + "</tr>"
    ),
    "no workers",
  );

  const realms = table(
    ["realm", "#sessions", "workers"],
    s.realms.map((x) =>
      `<tr data-realm="${e(x.name)}" data-sessions="${e(x.sessions)}">` + cell(x.name) +
      cell(x.sessions, "num") + cell(x.workers.join(", ")) + "</tr>"
    ),
    "no realms",
  );

  const transports = table(
    ["worker", "type", "listening on"],
    s.transports.map((t) =>
      "<tr>" + cell(t.worker) + cell(t.type) + cell(t.address, "addr") + "</tr>"
    ),
    "no transports reported",
  );

  const links = table(
    ["worker", "realm", "peer", "state", "#remote sessions", "#queued"],
    s.links.map((l) =>
      "<tr>" + cell(l.worker) + cell(l.realm) + cell(`${l.dialed ? "→" : "←"} ${l.peer}`) +
      cell(l.state, `state-${l.state === "up" ? "running" : "failed"}`) +
      cell(l.remote_sessions ?? "", "num") + cell(formatBytes(l.queued_bytes), "num") + "</tr>"
    ),
    "no router links",
  );

  const warnings = s.warnings.length === 0
    ? `<p class="empty">no recent warnings</p>`
    : `<ol class="warnings">${
      [...s.warnings].reverse().map((w) =>
        `<li class="${w.level}"><time>${
          e(w.time.replace("T", " ").replace(/\.\d+Z$/, "Z"))
        }</time> ` +
        `<b>${e(w.worker ?? "controller")}</b> ${e(w.msg)}${
          Object.entries(w.fields).map(([k, v]) => ` <span class="f">${e(k)}=${e(v)}</span>`)
            .join("")
        }</li>`
      ).join("")
    }</ol>`;

  const updated = `updated ${e(new Date(s.at).toISOString().replace("T", " ").slice(0, 19))} UTC`;
  return { node, rates, workers, realms, transports, links, warnings, updated };
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1d232a;--muted:#5f6b76;--bg:#fafbfc;--card:#fff;--line:#dfe3e8;
--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--s1:#0969da;--s2:#8250df;--s3:#1a7f37;--s4:#bc4c00}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--bg:#0d1117;--card:#161b22;
--line:#30363d;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--s1:#58a6ff;--s2:#bc8cff;--s3:#3fb950;--s4:#f0883e}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:14px 20px;border-bottom:1px solid var(--line);display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
h1{font-size:20px;margin:0}h2{font-size:15px;margin:0 0 8px}main{padding:16px 20px;display:grid;gap:16px;
grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}section{background:var(--card);border:1px solid var(--line);
border-radius:8px;padding:12px 14px;overflow-x:auto}section.wide{grid-column:1/-1}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px 3px 0;border-bottom:1px solid var(--line);
white-space:nowrap}th{color:var(--muted);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.addr,dd.key,code{font-family:ui-monospace,monospace;font-size:12.5px}dd.key{word-break:break-all}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}dt{color:var(--muted)}dd{margin:0}
.state-running{color:var(--ok)}.state-failed,.state-stopped{color:var(--bad)}
.state-starting,.state-restarting,.state-stopping{color:var(--warn)}
.empty,.totals,.muted,#updated{color:var(--muted)}.chart{margin:0 0 10px}figcaption{font-size:13px;margin-bottom:2px}
.key{margin-left:10px}.key.s1 b{color:var(--s1)}.key.s2 b{color:var(--s2)}.key.s3 b{color:var(--s3)}.key.s4 b{color:var(--s4)}
svg{display:block;width:100%;height:60px;background:var(--bg);border-radius:4px}
polyline.s1{stroke:var(--s1)}polyline.s2{stroke:var(--s2)}polyline.s3{stroke:var(--s3)}polyline.s4{stroke:var(--s4)}
line.axis{stroke:var(--line)}.peak{float:right;font-size:11px;color:var(--muted)}
polyline.s2,polyline.s4{stroke-dasharray:4 3}th.num{text-align:right}
ol.warnings{margin:0;padding-left:18px;max-height:260px;overflow-y:auto}ol.warnings li{margin:2px 0}
li.error b,li.error{color:var(--bad)}li time{color:var(--muted);font-size:12px}.f{color:var(--muted);font-size:12px}
#live{font-size:12px;padding:1px 8px;border-radius:10px;border:1px solid var(--line)}#live.on{color:var(--ok)}
#live.off{color:var(--warn)}ul.ws{margin:4px 0 0;padding-left:18px}
`;

/** Options of `renderPage`. */
export interface PageOptions {
  /** WebSocket URLs clients can connect to on this transport. */
  webSocketUrls: string[];
  /** URL of the page's script. */
  scriptUrl: string;
  /** URL of the update stream (server-sent events). */
  eventsUrl: string;
  /** Extra facts shown with the node. */
  extra?: Record<string, string>;
  /** Why the summary is missing, when it is. */
  error?: string;
}

/** The whole page: a plain summary without JavaScript, kept up to date by its script. */
export function renderPage(s: NodeSummary | undefined, o: PageOptions): string {
  const sec = s ? renderSections(s, o.extra) : undefined;
  const part = (id: string, title: string, wide = false) =>
    `<section class="${wide ? "wide" : ""}"><h2>${e(title)}</h2><div id="${id}">${
      sec?.[id] ?? ""
    }</div></section>`;
  const ws = o.webSocketUrls.length === 0
    ? ""
    : `<section class="wide"><h2>Connect</h2>WAMP over WebSocket:<ul class="ws">${
      o.webSocketUrls.map((u) => `<li><code>${e(u)}</code></li>`).join("")
    }</ul></section>`;
  return `<!doctype html>
<html lang="en" data-events="${e(o.eventsUrl)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>xbar ${e(s?.node ?? "node")}</title>
<noscript><meta http-equiv="refresh" content="10"></noscript>
<style>${STYLE}</style>
<script src="${e(o.scriptUrl)}" defer></script></head>
<body data-updates="0">
<header><h1>xbar node ${e(s?.node ?? "")}</h1><span id="updated">${sec?.updated ?? ""}</span>
<span id="live" class="off" title="live updates">static</span></header>
${o.error ? `<p class="muted" style="padding:0 20px">status unavailable: ${e(o.error)}</p>` : ""}
<main>
${part("node", "Node")}
${part("rates", "Message rates")}
${part("workers", "Workers", true)}
${part("realms", "Realms")}
${part("transports", "Transports")}
${part("links", "Router links", true)}
${part("warnings", "Recent warnings", true)}
${ws}
</main>
</body></html>
`;
}
