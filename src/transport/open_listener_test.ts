import assert from "node:assert/strict";
import { DEFAULT_UNIX_SOCKET_MODE, openListener } from "./open_listener.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xbar-ol-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openListener() makes a Unix socket 0600 by default (not what the umask leaves), or the configured mode", async () => {
  await withDir(async (dir) => {
    const a = await openListener({ type: "unix", path: "a.sock" }, { baseDir: dir });
    assert.equal(DEFAULT_UNIX_SOCKET_MODE, 0o600);
    assert.equal((await Deno.lstat(`${dir}/a.sock`)).mode! & 0o777, 0o600);
    const b = await openListener({ type: "unix", path: "b.sock", mode: 0o660 }, {
      baseDir: dir,
    });
    assert.equal((await Deno.lstat(`${dir}/b.sock`)).mode! & 0o777, 0o660);
    assert.equal(b.address, `unix:${dir}/b.sock`);
    await a.close();
    await b.close();
    await assert.rejects(Deno.lstat(`${dir}/a.sock`), Deno.errors.NotFound);
  });
});

Deno.test("openListener() binds TCP with a backlog and refuses bad endpoints", async () => {
  const l = await openListener({ type: "tcp", hostname: "127.0.0.1", port: 0, backlog: 16 });
  assert.match(l.address, /^tcp4:127\.0\.0\.1:\d+$/);
  assert.ok(l.port > 0);
  await l.close();
  await assert.rejects(
    openListener({ type: "tcp", hostname: "127.0.0.1", port: 70000 }),
    /endpoint\.port: .*70000/,
  );
  await assert.rejects(
    openListener({ type: "unix", path: "x.sock", mode: 0o1777 }),
    /endpoint\.mode/,
  );
});
