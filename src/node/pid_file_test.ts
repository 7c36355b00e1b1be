import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import {
  acquirePidFile,
  isLiveNode,
  NodeRunningError,
  ownIdentity,
  processIdentity,
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

/** A live process with a name that has nothing to do with xbar (and says "worker"). */
function sleeper(): Deno.ChildProcess {
  return new Deno.Command("sh", {
    args: ["-c", "sleep 30; true", "worker"],
    stdin: "null",
  }).spawn();
}

async function reap(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch {
    // gone
  }
  await child.status;
}

Deno.test("acquirePidFile() writes node.pid, replaces a stale one, and releasePidFile() removes only its own", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "node.pid");
  try {
    await Deno.writeTextFile(path, JSON.stringify(record(4194305, dir)));
    strictEqual(await runningNode(path), undefined, "a dead pid is not a running node");
    const stale: number[] = [];
    await acquirePidFile(
      path,
      { ...record(Deno.pid, dir), ...ownIdentity() },
      (s) => stale.push(s!.pid),
    );
    strictEqual(stale[0], 4194305);
    const written = (await readPidFile(path))!;
    strictEqual(written.pid, Deno.pid);
    ok(Number.isSafeInteger(written.start_ticks), "the start time is recorded");
    ok(isLiveNode(written));
    await releasePidFile(path);
    strictEqual(await readPidFile(path), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("processIdentity() gives a process's start time and boot; nothing for a gone pid", async () => {
  const child = sleeper();
  try {
    const a = processIdentity(child.pid);
    const b = processIdentity(child.pid);
    ok(a && b);
    deepStrictEqual(a, b, "stable while the process lives");
    ok(a.startTicks >= processIdentity(Deno.pid)!.startTicks, "started after this test process");
  } finally {
    await reap(child);
  }
  strictEqual(processIdentity(child.pid), undefined, "a reaped process has no identity");
  strictEqual(processIdentity(4194305), undefined);
});

Deno.test("isLiveNode() goes by pid and start time, not by names: any command line counts, a reused pid does not", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "node.pid");
  const child = sleeper();
  try {
    const id = processIdentity(child.pid)!;
    const live = { ...record(child.pid, dir), start_ticks: id.startTicks, boot_id: id.bootId };
    ok(isLiveNode(live), "a command line without xbar and with worker in it is still the node");
    await Deno.writeTextFile(path, JSON.stringify(live));
    await rejects(
      acquirePidFile(path, record(Deno.pid, dir)),
      (e) => e instanceof NodeRunningError && e.record.pid === child.pid,
    );

    // the same pid with another start time: the node died and its pid was reused
    const reused = { ...live, start_ticks: id.startTicks - 1 };
    ok(!isLiveNode(reused));
    ok(!isLiveNode({ ...live, boot_id: "another-boot" }), "a record from an earlier boot is stale");
    await Deno.writeTextFile(path, JSON.stringify(reused));
    const stale: number[] = [];
    await acquirePidFile(path, record(Deno.pid, dir), (s) => stale.push(s!.pid));
    deepStrictEqual(stale, [child.pid]);
    await releasePidFile(path);

    // a record without a start time (not written by xbar): a live pid is never taken over
    ok(isLiveNode(record(child.pid, dir)));
  } finally {
    await reap(child);
    await Deno.remove(dir, { recursive: true });
  }
});
