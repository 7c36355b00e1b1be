import { ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import {
  acquirePidFile,
  NodeRunningError,
  readPidFile,
  releasePidFile,
  runningNode,
} from "./pid_file.ts";

const record = (pid: number, dir: string) => ({
  pid,
  socket: join(dir, "node.sock"),
  started: "now",
  dir,
});

Deno.test("acquirePidFile() writes node.pid, replaces a stale one, and releasePidFile() removes only its own", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "node.pid");
  try {
    await Deno.writeTextFile(path, JSON.stringify(record(4194305, dir)));
    strictEqual(await runningNode(path), undefined, "a dead pid is not a running node");
    const stale: number[] = [];
    await acquirePidFile(path, record(Deno.pid, dir), (s) => stale.push(s!.pid));
    strictEqual(stale[0], 4194305);
    strictEqual((await readPidFile(path))!.pid, Deno.pid);
    await releasePidFile(path);
    strictEqual(await readPidFile(path), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("acquirePidFile() refuses a directory whose node.pid names a live xbar node", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "node.pid");
  // a live process whose command line mentions xbar, like a node controller
  const child = new Deno.Command("sh", {
    args: ["-c", "sleep 30; true", "xbar-fake-node"],
    stdin: "null",
  }).spawn();
  try {
    await Deno.writeTextFile(path, JSON.stringify(record(child.pid, dir)));
    ok(await runningNode(path));
    await rejects(
      acquirePidFile(path, record(Deno.pid, dir)),
      (e) => e instanceof NodeRunningError && e.record.pid === child.pid,
    );
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
