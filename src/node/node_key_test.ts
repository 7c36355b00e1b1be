import { match, notStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { loadOrCreateNodeKey } from "./node_key.ts";

Deno.test("loadOrCreateNodeKey() creates key.priv (mode 0600) and key.pub once, then reads the same key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const k = await loadOrCreateNodeKey(dir);
    strictEqual(k.created, true);
    match(k.publicKey, /^[0-9a-f]{64}$/);
    match(k.privateKey, /^[0-9a-f]{64}$/);
    notStrictEqual(k.publicKey, k.privateKey);
    strictEqual((await Deno.stat(join(dir, "key.priv"))).mode! & 0o777, 0o600);
    match(
      await Deno.readTextFile(join(dir, "key.pub")),
      new RegExp(`public-key-ed25519: ${k.publicKey}`),
    );
    const again = await loadOrCreateNodeKey(dir);
    strictEqual(again.created, false);
    strictEqual(again.publicKey, k.publicKey);
    strictEqual(again.privateKey, k.privateKey);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadOrCreateNodeKey() names the file of a malformed key and warns about a readable one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "key.priv"), "public-key-ed25519: nothex\n", {
      mode: 0o644,
    });
    await Deno.chmod(join(dir, "key.priv"), 0o644);
    await rejects(loadOrCreateNodeKey(dir), /key\.priv" is malformed/);
    const seed = "11".repeat(32);
    await Deno.writeTextFile(
      join(dir, "key.priv"),
      `public-key-ed25519: ${"22".repeat(32)}\nprivate-key-ed25519: ${seed}\n`,
    );
    const warnings: string[] = [];
    const k = await loadOrCreateNodeKey(dir, (m) => warnings.push(m));
    strictEqual(k.privateKey, seed);
    match(warnings[0], /readable by others \(mode 644\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
