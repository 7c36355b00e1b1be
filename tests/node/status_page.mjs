// Drives the node's status page in headless Chromium (Debian's chromium,
// through playwright-core) for tests/status_page_browser_test.ts, one JSON
// line per step on stdout:
//   {"step":"rendered", ...}   the page after its script ran (first update in)
//   stdin "expect <n>"         -> {"step":"updated", ...} once realm1 shows n sessions
//   {"step":"screenshot"}      the page saved as PNG
//   {"step":"nojs", ...}       the same page with JavaScript off
//   {"step":"done", "errors":[...]}  console errors, page errors, CSP violations
// Usage: node status_page.mjs <page url> <png path>
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";

const [url, png] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const launchOptions = {
  executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
const errors = [];

// Chromium itself sometimes dies while starting on a loaded machine (seen:
// SIGTRAP before the first page loaded): a browser that crashed before the
// page was loaded is started once more. Anything after that counts.
async function openPage() {
  for (let attempt = 1;; attempt++) {
    let browser;
    try {
      browser = await chromium.launch(launchOptions);
      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
      });
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
      await page.goto(url);
      return { browser, page };
    } catch (err) {
      await browser?.close().catch(() => {});
      const crashed = !browser || !browser.isConnected() ||
        /crash|closed/i.test(String(err));
      if (attempt >= 2 || !crashed) throw err;
      process.stderr.write(
        `status_page.mjs: chromium failed to start, once more: ${err}\n`,
      );
      errors.length = 0;
    }
  }
}

let browser;
try {
  const opened = await openPage();
  browser = opened.browser;
  const page = opened.page;
  await page.evaluate(() => {
    window.__loadedOnce = true;
  });
  await page.waitForFunction(
    () => Number(document.body.dataset.updates) >= 1,
    null,
    {
      timeout: 20000,
    },
  );
  const facts = () =>
    page.evaluate(() => ({
      live: document.getElementById("live")?.textContent,
      updates: Number(document.body.dataset.updates),
      workers: [...document.querySelectorAll("#workers tr[data-worker]")].map((
        r,
      ) => [
        r.getAttribute("data-worker"),
        r.getAttribute("data-state"),
      ]),
      sessions: document.querySelector('#realms tr[data-realm="realm1"]')
        ?.getAttribute(
          "data-sessions",
        ),
      loadedOnce: window.__loadedOnce === true,
      charts: document.querySelectorAll("#rates svg").length,
    }));
  say({ step: "rendered", ...(await facts()) });

  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error("stdin closed before 'expect <n>'");
    const m = /^expect (\d+)$/.exec(value.trim());
    if (!m) continue;
    await page.waitForFunction(
      (n) =>
        document.querySelector('#realms tr[data-realm="realm1"]')?.getAttribute(
          "data-sessions",
        ) ===
          n,
      m[1],
      { timeout: 20000 },
    );
    break;
  }
  // a few more updates, so the rate charts have points
  const seen = (await facts()).updates;
  await page.waitForFunction(
    (n) => Number(document.body.dataset.updates) >= n + 3,
    seen,
    {
      timeout: 20000,
    },
  );
  say({ step: "updated", ...(await facts()) });

  await page.screenshot({ path: png, fullPage: true });
  say({ step: "screenshot", path: png });

  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await plain.newPage();
  await p2.goto(url);
  say({
    step: "nojs",
    live: await p2.locator("#live").textContent(),
    updates: await p2.locator("body").getAttribute("data-updates"),
    workers: await p2.locator("#workers tr[data-worker]").count(),
    sessions: await p2.locator('#realms tr[data-realm="realm1"]').getAttribute(
      "data-sessions",
    ),
    refresh: await p2.locator("noscript").count(),
  });
  await plain.close();
} catch (err) {
  say({ step: "error", error: String(err?.stack ?? err) });
} finally {
  say({ step: "done", errors });
  await browser?.close();
}
