import assert from "node:assert/strict";
import { LineCounter, parseDocument } from "yaml";
import { SourceMap } from "./source_map.ts";

function mapOf(text: string): SourceMap {
  const lineCounter = new LineCounter();
  return SourceMap.fromDocument(parseDocument(text, { lineCounter }), lineCounter);
}

Deno.test("SourceMap.locate() finds keys and values of YAML", () => {
  const map = mapOf("version: 2\nworkers:\n  - type: router\n    id: r1\n");
  assert.deepEqual(map.locate(["version"]), { line: 1, column: 10 });
  assert.deepEqual(map.locate(["version"], "key"), { line: 1, column: 1 });
  assert.deepEqual(map.locate(["workers", 0]), { line: 3, column: 5 });
  assert.deepEqual(map.locate(["workers", 0, "id"]), { line: 4, column: 9 });
  assert.deepEqual(map.locate(["workers", 0, "id"], "key"), { line: 4, column: 5 });
});

Deno.test("SourceMap.locate() finds values of JSON", () => {
  const map = mapOf('{\n  "a": {\n    "b": [1, 22]\n  }\n}\n');
  assert.deepEqual(map.locate(["a", "b", 1]), { line: 3, column: 14 });
});

Deno.test("SourceMap.locate() falls back to the nearest ancestor", () => {
  const map = mapOf("a:\n  b: 1\n");
  assert.deepEqual(map.locate(["a", "missing", "deeper"]), { line: 2, column: 3 });
  assert.deepEqual(map.locate(["nothing"]), { line: 1, column: 1 });
});
