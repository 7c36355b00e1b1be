import assert from "node:assert/strict";
import { parseWorkerArgs } from "./_worker_command.ts";
import { UsageError } from "./_command_basics.ts";

Deno.test("parseWorkerArgs() reads the spawn-time transport hint (--preload a,b) beside the other options", () => {
  assert.deepEqual(
    parseWorkerArgs([
      "--type",
      "router",
      "--id",
      "r1",
      "--dir",
      "/n",
      "--preload=websocket,rawsocket",
    ]),
    { type: "router", id: "r1", dir: "/n", preload: "websocket,rawsocket" },
  );
  assert.throws(() => parseWorkerArgs(["--preload"]), UsageError);
  assert.throws(() => parseWorkerArgs(["--transports", "x"]), UsageError);
});
