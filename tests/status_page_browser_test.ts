/**
 * The live status page in a real browser: Debian's headless Chromium driven
 * by Playwright (tests/node/status_page.mjs) against a real node. The page
 * renders the workers and sessions after its script ran, updates when
 * sessions join (without a reload), draws its rate charts, raises no
 * console or CSP errors, and is a complete plain summary with JavaScript
 * off. Its screenshot is kept as dist/test-artifacts/status_page.png and
 * checked (a PNG of the viewport's width with real content).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "../src/client/connect.ts";
import type { Session } from "../src/client/session.ts";
import { connectManagement } from "../src/node/management_client.ts";
import {
  freePort,
  ROOT,
  routerWorker,
  startNode,
  tempNodeDir,
  waitUntil,
  writeConfig,
} from "./_node_kit.ts";

type Dict = Record<string, unknown>;

/** Where the screenshot is kept. */
const PNG = join(ROOT, "dist", "test-artifacts", "status_page.png");
const SCRIPT = fileURLToPath(new URL("./node/status_page.mjs", import.meta.url));

/** Width and height from a PNG's IHDR chunk (throws when it is not a PNG). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => bytes[i] === b)) throw new Error("not a PNG");
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") throw new Error("no IHDR");
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

Deno.test("status page in headless Chromium: renders workers and sessions, updates live, works without JavaScript", async () => {
  const dir = await tempNodeDir();
  const port = freePort();
  await writeConfig(dir, {
    version: 2,
    workers: [
      routerWorker(port, {
        transports: [{
          type: "web",
          endpoint: { type: "tcp", interface: "127.0.0.1", port },
          paths: { "/": { type: "nodeinfo" }, ws: { type: "websocket" } },
        }],
      }),
      { type: "guest", id: "sleeper", executable: "sleep", arguments: ["600"] },
    ],
  });
  await Deno.mkdir(join(ROOT, "dist", "test-artifacts"), { recursive: true });
  await Deno.remove(PNG).catch(() => {});
  const node = await startNode(dir);
  const m = await connectManagement(join(dir, "node.sock"));
  const sessions: Session[] = [];
  let browser: Deno.ChildProcess | undefined;
  let traffic: ReturnType<typeof setInterval> | undefined;
  try {
    // a restart, so the page has a warning and a restart count to show
    const before = (await m.call("xbar.get_workers")).args[0] as Dict[];
    Deno.kill(before.find((w) => w.id === "sleeper")!.pid as number, "SIGKILL");
    await waitUntil(
      async () => {
        const w = (await m.call("xbar.get_worker", ["sleeper"])).args[0] as Dict;
        return w.state === "running" && w.restarts === 1;
      },
      "the guest worker restarted",
      20000,
    );

    browser = new Deno.Command("node", {
      args: [SCRIPT, `http://127.0.0.1:${port}/`, PNG],
      cwd: fileURLToPath(new URL("./node/", import.meta.url)),
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const out = browser.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const input = browser.stdin.getWriter();
    let buf = "";
    const next = async (): Promise<Dict> => {
      for (;;) {
        const at = buf.indexOf("\n");
        if (at >= 0) {
          const line = buf.slice(0, at);
          buf = buf.slice(at + 1);
          const step = JSON.parse(line) as Dict;
          if (step.step === "error") throw new Error(`browser: ${step.error}`);
          return step;
        }
        const { value, done } = await out.read();
        if (done) throw new Error("the browser script ended early");
        buf += value;
      }
    };

    const rendered = await next();
    assert.equal(rendered.step, "rendered");
    assert.equal(rendered.live, "live", "the script connected its update stream");
    assert.deepEqual(rendered.workers, [
      ["controller", "running"],
      ["router1", "running"],
      ["sleeper", "running"],
    ]);
    assert.equal(rendered.sessions, "0");
    assert.equal(rendered.charts, 2);

    // two sessions join and call each other while the page is open
    const callee = await connect(`ws://127.0.0.1:${port}/ws`, "realm1");
    sessions.push(callee);
    await callee.register("com.example.ping", () => "pong");
    const caller = await connect(`ws://127.0.0.1:${port}/ws`, "realm1");
    sessions.push(caller);
    traffic = setInterval(() => void caller.call("com.example.ping").catch(() => {}), 5);
    await input.write(new TextEncoder().encode("expect 2\n"));
    const updated = await next();
    assert.equal(updated.step, "updated");
    assert.equal(updated.sessions, "2");
    assert.equal(updated.loadedOnce, true, "updated in place, not reloaded");

    const shot = await next();
    assert.equal(shot.step, "screenshot");
    clearInterval(traffic);
    traffic = undefined;
    const png = await Deno.readFile(PNG);
    const size = pngSize(png);
    assert.equal(size.width, 1280);
    assert.ok(size.height >= 900, `height ${size.height}`);
    assert.ok(png.length > 30_000, `a page with content, not a blank one (${png.length} bytes)`);

    const plain = await next();
    assert.equal(plain.step, "nojs");
    assert.equal(plain.updates, "0", "no script ran");
    assert.equal(plain.live, "static");
    assert.equal(plain.workers, 3);
    assert.equal(plain.sessions, "2");

    const done = await next();
    assert.equal(done.step, "done");
    assert.deepEqual(done.errors, [], "no console, page or CSP errors");
    await input.close();
    out.releaseLock();
    assert.equal((await browser.status).code, 0);
    browser = undefined;
    console.log(`status page screenshot: ${PNG}`);
  } finally {
    if (traffic !== undefined) clearInterval(traffic);
    if (browser) {
      try {
        browser.kill("SIGKILL");
      } catch {
        // gone
      }
      await browser.status;
    }
    for (const s of sessions) await s.leave().catch(() => {});
    await m.leave().catch(() => {});
    await node.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
