/**
 * End-to-end: what Crossbar users type works — `--cbdir` and `CROSSBAR_DIR`,
 * `--loglevel none`, `--logformat standard`, `--logdir`, `--shutdownafter`,
 * `status --assert running|stopped`, `keys`, `convert`; help texts name the
 * command as it was run; a start that cannot listen says so once, naming
 * the address.
 */

import { deepStrictEqual, doesNotMatch, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { freePort, routerWorker, startNode, tempNodeDir, writeConfig, xbar } from "./_node_kit.ts";

Deno.test("xbar start --cbdir runs a node; status --assert running|stopped exits 0 when it holds and 1 when not", async () => {
  const dir = await tempNodeDir();
  try {
    await writeConfig(dir, { version: 2, workers: [routerWorker(freePort())] });
    const stopped = await xbar(["status", "--cbdir", dir, "--assert", "stopped"]);
    strictEqual(stopped.code, 0, stopped.stderr);
    match(stopped.stdout, /assert stopped succeeded/);
    strictEqual((await xbar(["status", "--cbdir", dir, "--assert", "running"])).code, 1);
    const node = await startNode(dir, ["--loglevel", "info", "--logformat", "standard"]);
    strictEqual(
      (await xbar(["status", "--assert", "running"], { env: { CROSSBAR_DIR: dir } })).code,
      0,
    );
    const wrong = await xbar(["status", "--cbdir", dir, "--assert", "stopped"]);
    strictEqual(wrong.code, 1);
    match(wrong.stderr, /assert stopped failed: the node in .* is running/);
    strictEqual((await xbar(["status", "--cbdir", dir, "--assert", "maybe"])).code, 2);
    strictEqual((await node.stop()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("xbar start --shutdownafter stops the node by itself; --loglevel none prints nothing; --logtofile --logdir writes node.log there", async () => {
  const dir = await tempNodeDir();
  const logdir = await Deno.makeTempDir();
  try {
    await writeConfig(dir, { version: 2, workers: [routerWorker(freePort())] });
    const quiet = await xbar([
      "start",
      "--cbdir",
      dir,
      "--loglevel",
      "none",
      "--shutdownafter",
      "1",
    ]);
    strictEqual(quiet.code, 0, quiet.stderr);
    strictEqual(quiet.stderr, "");
    const logged = await xbar([
      "start",
      "--cbdir",
      dir,
      "--logtofile",
      "--logdir",
      logdir,
      "--shutdownafter",
      "1",
    ]);
    strictEqual(logged.code, 0, logged.stderr);
    const log = await Deno.readTextFile(join(logdir, "node.log"));
    match(log, /shutting down: --shutdownafter elapsed/);
    match(log, /\[Router\s+\d+\] realm started/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(logdir, { recursive: true });
  }
});

Deno.test("xbar start that cannot listen prints the error once and names the address in use", async () => {
  const dir = await tempNodeDir();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    await writeConfig(dir, { version: 2, workers: [routerWorker(port)] });
    const r = await xbar(["start", "--dir", dir]);
    strictEqual(r.code, 1);
    const mentions = r.stderr.split("\n").filter((l) => l.includes("address is already in use"));
    strictEqual(mentions.length, 1, r.stderr);
    match(
      mentions[0],
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`),
    );
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("xbar keys prints the node's public key (creating it) and --private the private one", async () => {
  const dir = await tempNodeDir();
  try {
    const first = await xbar(["keys", "--cbdir", dir]);
    strictEqual(first.code, 0, first.stderr);
    const pub = /node public key \(hex\): ([0-9a-f]{64})/.exec(first.stdout)?.[1];
    ok(pub, first.stdout);
    match(first.stdout, /created node key/);
    const again = await xbar(["keys", "--cbdir", dir, "--json"]);
    const j = JSON.parse(again.stdout);
    deepStrictEqual([j.public_key, j.created], [pub, false]);
    const priv = await xbar(["keys", "--cbdir", dir, "--private"]);
    match(priv.stdout, /node private key \(hex\): [0-9a-f]{64}/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("xbar convert turns config.json into config.yaml and back, and refuses to overwrite", async () => {
  const dir = await tempNodeDir();
  try {
    const config = { version: 2, workers: [routerWorker(8080)] };
    await writeConfig(dir, config);
    const toYaml = await xbar(["convert", "--cbdir", dir]);
    strictEqual(toYaml.code, 0, toYaml.stderr);
    deepStrictEqual(parse(await Deno.readTextFile(join(dir, "config.yaml"))), config);
    await Deno.remove(join(dir, "config.json"));
    const back = await xbar(["convert", "--cbdir", dir]);
    strictEqual(back.code, 0, back.stderr);
    deepStrictEqual(JSON.parse(await Deno.readTextFile(join(dir, "config.json"))), config);
    const again = await xbar(["convert", "--cbdir", dir]);
    strictEqual(again.code, 1);
    match(again.stderr, /exists; not overwriting it \(give --force to overwrite\)/);
    strictEqual((await xbar(["check", "--cbdir", dir])).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("help texts name the command as it was run (XBAR_PROG from scripts/xbar)", async () => {
  const r = await xbar(["start", "--help"], { env: { XBAR_PROG: "./scripts/xbar" } });
  strictEqual(r.code, 0);
  match(r.stdout, /^Usage: \.\/scripts\/xbar start \[options\]/);
  match(r.stdout, /"\.\/scripts\/xbar stop"/);
  doesNotMatch(r.stdout, /(^|\s)xbar (start|stop)/);
  const dir = await tempNodeDir();
  try {
    const init = await xbar(["init", "--dir", dir], { env: { XBAR_PROG: "./scripts/xbar" } });
    match(init.stdout, /start the node with: \.\/scripts\/xbar start --dir/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
