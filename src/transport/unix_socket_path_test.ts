import assert from "node:assert/strict";
import {
  MAX_UNIX_SOCKET_PATH_BYTES,
  prepareUnixSocketPath,
  removeUnixSocket,
  resolveUnixSocketPath,
  socketFileId,
} from "./unix_socket_path.ts";
import { leaveStaleSocket } from "./rawsocket_test_kit.ts";

Deno.test("resolveUnixSocketPath() resolves a relative path against baseDir and keeps an absolute one", () => {
  assert.equal(
    resolveUnixSocketPath("sockets/router.sock", "/srv/node/.crossbar"),
    "/srv/node/.crossbar/sockets/router.sock",
  );
  assert.equal(resolveUnixSocketPath("/run/x.sock", "/srv"), "/run/x.sock");
  assert.equal(resolveUnixSocketPath("x.sock"), `${Deno.cwd()}/x.sock`);
});

Deno.test("resolveUnixSocketPath() rejects a path over 107 bytes with its length and the limit", () => {
  const long = "/tmp/" + "d".repeat(MAX_UNIX_SOCKET_PATH_BYTES);
  assert.throws(
    () => resolveUnixSocketPath(long),
    /is 112 bytes long; the system limit is 107 bytes/,
  );
  assert.throws(() => resolveUnixSocketPath(""), /must not be empty/);
  // 107 bytes exactly is fine.
  assert.equal(resolveUnixSocketPath("/" + "a".repeat(106)).length, 107);
});

Deno.test("prepareUnixSocketPath() reports a free path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await prepareUnixSocketPath(`${dir}/a.sock`), "free");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prepareUnixSocketPath() removes the socket file of a killed process", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/stale.sock`;
    await leaveStaleSocket(path);
    assert.equal(await prepareUnixSocketPath(path), "replaced-stale");
    await assert.rejects(Deno.lstat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prepareUnixSocketPath() refuses a socket a live process serves: already in use", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/live.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const accepting = listener.accept().then((c) => c.close(), () => {});
  try {
    await assert.rejects(
      prepareUnixSocketPath(path),
      (e) => e instanceof Deno.errors.AddrInUse && /already in use/.test(e.message),
    );
    assert.ok((await Deno.lstat(path)).isSocket, "the live socket is left alone");
  } finally {
    await accepting;
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prepareUnixSocketPath() never removes a file that is not a socket", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/config.json`;
    await Deno.writeTextFile(path, "{}");
    await assert.rejects(prepareUnixSocketPath(path), /exists and is not a socket/);
    assert.equal(await Deno.readTextFile(path), "{}");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeUnixSocket() removes only the socket file it was given the identity of", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/s.sock`;
    await leaveStaleSocket(path);
    const other = await socketFileId(path);
    assert.equal(
      await removeUnixSocket(path, { dev: other!.dev, ino: (other!.ino ?? 0) + 1 }),
      false,
    );
    assert.equal(await removeUnixSocket(path, other), true);
    assert.equal(await removeUnixSocket(path, other), false, "already gone: no error");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
