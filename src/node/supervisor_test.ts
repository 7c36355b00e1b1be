import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { RestartPolicy } from "../config/types.ts";
import { describeExit, RestartTracker } from "./supervisor.ts";

const policy: RestartPolicy = {
  policy: "on-failure",
  max_restarts: 3,
  window: 10_000,
  initial_delay: 100,
  max_delay: 350,
  multiplier: 2,
};
const crash = { code: 1, signal: null };
const killed = { code: 137, signal: "SIGKILL" };
const clean = { code: 0, signal: null };

Deno.test("RestartTracker.onExit() backs off exponentially up to max_delay", () => {
  const t = new RestartTracker(policy);
  deepStrictEqual(t.onExit(crash, 0), { action: "restart", delayMs: 100, attempt: 1 });
  deepStrictEqual(t.onExit(killed, 1), { action: "restart", delayMs: 200, attempt: 2 });
  deepStrictEqual(t.onExit(crash, 2), { action: "restart", delayMs: 350, attempt: 3 });
});

Deno.test("RestartTracker.onExit() gives up after max_restarts within the window, and recovers after it", () => {
  const t = new RestartTracker(policy);
  for (let i = 0; i < 3; i++) strictEqual(t.onExit(crash, i).action, "restart");
  const d = t.onExit(crash, 3);
  strictEqual(d.action, "stop");
  strictEqual(t.onExit(crash, 20_000).action, "restart");
  strictEqual(t.total, 4);
});

Deno.test("RestartTracker.onExit() follows the policy: on-failure, always, never", () => {
  strictEqual(new RestartTracker(policy).onExit(clean).action, "stop");
  strictEqual(new RestartTracker(policy).onExit(killed).action, "restart");
  strictEqual(new RestartTracker({ ...policy, policy: "always" }).onExit(clean).action, "restart");
  strictEqual(new RestartTracker({ ...policy, policy: "never" }).onExit(killed).action, "stop");
});

Deno.test("describeExit() names the signal or the code", () => {
  strictEqual(describeExit(killed), "signal SIGKILL");
  strictEqual(describeExit(crash), "exit code 1");
});
