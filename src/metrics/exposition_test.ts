import assert from "node:assert/strict";
import {
  contentTypeOf,
  formatMetrics,
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from "./exposition.ts";
import type { MetricFamily } from "./metric_family.ts";

const FAMILIES: MetricFamily[] = [
  {
    name: "xbar_calls_routed",
    help: "Calls routed.",
    type: "counter",
    samples: [[{ worker: "w1", realm: "realm1" }, 5]],
  },
  {
    name: "xbar_sessions",
    help: 'Sessions with a "quote" and a \\ backslash\nand a newline.',
    type: "gauge",
    samples: [[{ realm: 'odd "realm"\\\n' }, 2], [{}, 0]],
  },
  {
    name: "xbar_call_duration_seconds",
    help: "Call durations.",
    type: "histogram",
    bounds: [0.001, 1],
    samples: [[{ realm: "realm1" }, [1, 2, 3], 4.5, 6]],
  },
  { name: "xbar_empty", help: "Never written.", type: "gauge", samples: [] },
];

Deno.test("formatMetrics() writes the Prometheus text format 0.0.4: _total counters, cumulative buckets, escaped labels", () => {
  const text = formatMetrics(FAMILIES, "prometheus");
  assert.equal(
    text,
    [
      "# HELP xbar_calls_routed_total Calls routed.",
      "# TYPE xbar_calls_routed_total counter",
      'xbar_calls_routed_total{worker="w1",realm="realm1"} 5',
      '# HELP xbar_sessions Sessions with a "quote" and a \\\\ backslash\\nand a newline.',
      "# TYPE xbar_sessions gauge",
      'xbar_sessions{realm="odd \\"realm\\"\\\\\\n"} 2',
      "xbar_sessions 0",
      "# HELP xbar_call_duration_seconds Call durations.",
      "# TYPE xbar_call_duration_seconds histogram",
      'xbar_call_duration_seconds_bucket{realm="realm1",le="0.001"} 1',
      'xbar_call_duration_seconds_bucket{realm="realm1",le="1"} 3',
      'xbar_call_duration_seconds_bucket{realm="realm1",le="+Inf"} 6',
      'xbar_call_duration_seconds_sum{realm="realm1"} 4.5',
      'xbar_call_duration_seconds_count{realm="realm1"} 6',
      "",
    ].join("\n"),
  );
});

Deno.test("formatMetrics() writes OpenMetrics: family names without _total, float bucket bounds, # EOF", () => {
  const text = formatMetrics(FAMILIES, "openmetrics");
  assert.match(
    text,
    /^# HELP xbar_calls_routed Calls routed\.\n# TYPE xbar_calls_routed counter\n/,
  );
  assert.match(text, /\nxbar_calls_routed_total\{worker="w1",realm="realm1"\} 5\n/);
  assert.match(text, /\n# HELP xbar_sessions Sessions with a \\"quote\\"/);
  assert.match(text, /_bucket\{realm="realm1",le="1\.0"\} 3\n/);
  assert.match(text, /_bucket\{realm="realm1",le="\+Inf"\} 6\n/);
  assert.ok(text.endsWith("# EOF\n"));
  assert.doesNotMatch(text, /xbar_empty/);
});

Deno.test("formatMetrics() output parses with the official Prometheus client's parsers (Debian python3-prometheus-client)", async () => {
  const families: MetricFamily[] = [...FAMILIES, {
    name: "xbar_messages_received",
    help: "Messages.",
    type: "counter",
    samples: [[{ transport: "websocket", type: "CALL" }, 1e21], [{
      transport: "local",
      type: "EVENT",
    }, 0]],
  }];
  const script = `
import sys, json
from prometheus_client.parser import text_string_to_metric_families as prom
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
data = json.load(sys.stdin)
out = {}
for name, parse in (("prometheus", prom), ("openmetrics", om)):
    out[name] = [[s.name, s.labels, s.value] for f in parse(data[name]) for s in f.samples]
print(json.dumps(out))
`;
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify({
    prometheus: formatMetrics(families, "prometheus"),
    openmetrics: formatMetrics(families, "openmetrics"),
  })));
  await w.close();
  const r = await child.output();
  const stderr = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, stderr);
  const parsed = JSON.parse(new TextDecoder().decode(r.stdout));
  for (const format of ["prometheus", "openmetrics"]) {
    const samples = parsed[format] as [string, Record<string, string>, number][];
    const find = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s[0] === name && JSON.stringify(s[1]) === JSON.stringify(labels))?.[2];
    assert.equal(find("xbar_calls_routed_total", { worker: "w1", realm: "realm1" }), 5, format);
    assert.equal(find("xbar_sessions", { realm: 'odd "realm"\\\n' }), 2, format);
    assert.equal(
      find("xbar_call_duration_seconds_bucket", { realm: "realm1", le: "+Inf" }),
      6,
      format,
    );
    assert.equal(
      find("xbar_messages_received_total", { transport: "websocket", type: "CALL" }),
      1e21,
      format,
    );
  }
});

Deno.test("negotiateFormat() picks OpenMetrics when Prometheus asks for it, plain text otherwise", () => {
  assert.equal(negotiateFormat(null), "prometheus");
  assert.equal(negotiateFormat("*/*"), "prometheus");
  assert.equal(negotiateFormat("text/plain;version=0.0.4"), "prometheus");
  assert.equal(
    negotiateFormat(
      "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
    ),
    "openmetrics",
  );
  assert.equal(negotiateFormat("application/openmetrics-text; version=1.0.0"), "openmetrics");
  assert.equal(
    negotiateFormat("text/plain;q=1, application/openmetrics-text;q=0.5"),
    "prometheus",
  );
  assert.equal(negotiateFormat("application/openmetrics-text;q=0"), "prometheus");
  assert.equal(contentTypeOf("prometheus"), PROMETHEUS_CONTENT_TYPE);
  assert.equal(contentTypeOf("openmetrics"), OPENMETRICS_CONTENT_TYPE);
});
