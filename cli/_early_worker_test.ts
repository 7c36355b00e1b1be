import assert from "node:assert/strict";
import { join } from "node:path";
import { validateConfig } from "../src/config/validate.ts";
import type { RouterWorkerConfig } from "../src/config/types.ts";
import type { StartedWorkerProcess, StartWorkerOptions } from "../src/node/worker_process.ts";
import type { RouterBoot } from "../src/worker/router_boot.ts";
import { adoptEarlyWorker, routerWorkerStart, startEarlyWorker } from "./_early_worker.ts";

const ROUTER = {
  type: "router",
  id: "router1",
  realms: [{ name: "realm1", roles: [{ name: "anonymous" }] }],
  transports: [{
    type: "websocket",
    id: "ws1",
    endpoint: { type: "tcp", interface: "127.0.0.1", port: 8080 },
  }],
};

function routerConfig(worker: Record<string, unknown>): RouterWorkerConfig {
  const r = validateConfig({ version: 2, workers: [worker] });
  assert.ok(r.config, JSON.stringify(r.errors));
  return r.config.workers[0] as RouterWorkerConfig;
}

/** A started process that records what is done with it. */
function fakeProcess(options: StartWorkerOptions) {
  const done: { discarded: boolean; boot?: RouterBoot | null } = { discarded: false };
  const p = {
    options,
    discard: () => (done.discarded = true),
    boot: (b: RouterBoot | null) => (done.boot = b),
  } as unknown as StartedWorkerProcess;
  return { p, done };
}

Deno.test("startEarlyWorker() starts a process only for a plain JSON config's router worker", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xbar-early-" });
  const o = { dir, logLevel: "info" as const, logFormat: "text" as const };
  const write = (name: string, workers: unknown[]) =>
    Deno.writeTextFile(join(dir, name), JSON.stringify({ version: 2, workers }));
  try {
    assert.equal(await startEarlyWorker(o), undefined, "no config file");
    for (
      const w of [
        { ...ROUTER, replicas: 2 },
        { ...ROUTER, options: { env: { inherit: false } } },
        { ...ROUTER, options: { title: "r" } },
        { ...ROUTER, options: { disabled: true } },
      ]
    ) {
      await write("config.json", [w]);
      assert.equal(await startEarlyWorker(o), undefined, JSON.stringify(w));
    }
    await write("other.json", [{ type: "guest", id: "g", executable: "true" }]);
    assert.equal(await startEarlyWorker({ ...o, config: "other.json" }), undefined);
    await Deno.writeTextFile(join(dir, "config.yaml"), "version: 2\n");
    await write("config.json", [ROUTER]);
    assert.equal(await startEarlyWorker(o), undefined, "config.yaml comes first: not JSON");
    await Deno.remove(join(dir, "config.yaml"));

    const p = await startEarlyWorker(o);
    assert.ok(p);
    try {
      assert.deepEqual(
        { title: undefined, ...p.options, env: undefined },
        { ...routerWorkerStart(routerConfig(ROUTER), o), env: undefined, bootLater: true },
      );
    } finally {
      p.discard();
      await p.child.status;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startEarlyWorker() starts a router worker without an id as the id validation gives it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xbar-early-" });
  const o = { dir, logLevel: "info" as const, logFormat: "text" as const };
  const guest = { type: "guest", executable: "true" };
  try {
    for (
      const [workers, index] of [
        [[{ ...ROUTER, id: undefined }], 0],
        [[guest, { ...ROUTER, id: undefined }], 1],
        [[{ ...guest, id: "worker001" }, { ...ROUTER, id: undefined }], 1],
        [[guest, { ...guest, id: "worker002" }, { ...ROUTER, id: undefined }], 2],
      ] as const
    ) {
      const config = { version: 2, workers };
      await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(config));
      const validated = validateConfig(config);
      assert.ok(validated.config, JSON.stringify(validated.errors));
      const p = await startEarlyWorker(o);
      assert.ok(p);
      try {
        assert.equal(p.options.id, validated.config.workers[index].id, JSON.stringify(workers));
      } finally {
        p.discard();
        await p.child.status;
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("adoptEarlyWorker() boots a process started with the validated settings, kills one started with others", () => {
  const o = { dir: "/n", logLevel: "info" as const, logFormat: "text" as const };
  const w = routerConfig(ROUTER);
  const want = routerWorkerStart(w, o);

  const same = fakeProcess({ ...want, env: { ...want.env }, bootLater: true });
  assert.equal(adoptEarlyWorker(same.p, w, want), same.p);
  assert.deepEqual(same.done, {
    discarded: false,
    boot: { realms: w.realms, transports: w.transports },
  });

  // a worker with router components waits for the replay: its boot config is none
  const components = { ...w, components: [{}] } as unknown as RouterWorkerConfig;
  const noBoot = fakeProcess({ ...want, bootLater: true });
  assert.equal(adoptEarlyWorker(noBoot.p, components, want), noBoot.p);
  assert.deepEqual(noBoot.done, { discarded: false, boot: null });

  for (
    const other of [
      { id: "router2" },
      { title: "r" },
      { logLevel: "debug" as const },
      { preload: ["rawsocket"] },
      { env: { ...want.env, EXTRA: "1" } },
    ]
  ) {
    const f = fakeProcess({ ...want, ...other, bootLater: true });
    assert.equal(adoptEarlyWorker(f.p, w, want), undefined, JSON.stringify(other));
    assert.deepEqual(f.done, { discarded: true }, JSON.stringify(other));
  }
});
