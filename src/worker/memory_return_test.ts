import assert from "node:assert/strict";

import { libcTrim, MemoryReturn, processRss } from "./memory_return.ts";

const MB = 1024 * 1024;

/** A MemoryReturn over a scripted RSS; `step()` runs one sample. */
function scripted(rss: number[], trimTo?: (before: number) => number) {
  let i = 0;
  let current = rss[0];
  const trims: [number, number][] = [];
  let trimming = 0;
  const m = new MemoryReturn({
    rss: () => current,
    trim: () => {
      trimming++;
      if (trimTo) current = trimTo(current);
      return Promise.resolve();
    },
    intervalMs: 3_600_000, // samples are driven by step()
    minGrowthBytes: 2 * MB,
    onTrim: (before, after) => trims.push([before, after]),
  });
  return {
    m,
    trims,
    get trimCalls() {
      return trimming;
    },
    /** Moves the RSS to the next scripted value and samples. */
    async step() {
      current = rss[++i];
      m.sampleNow();
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

Deno.test("MemoryReturn trims once the RSS grew and then held still", async () => {
  const s = scripted([100 * MB, 110 * MB, 120 * MB, 120.5 * MB, 120.5 * MB], () => 104 * MB);
  await s.step(); // grew, still growing
  await s.step(); // still growing
  assert.deepEqual(s.trimCalls, 0);
  await s.step(); // held still: trim
  assert.deepEqual(s.trimCalls, 1);
  assert.deepEqual(s.trims, [[120.5 * MB, 104 * MB]]);
  assert.deepEqual(s.m.trims, 1);
  assert.deepEqual(s.m.returnedBytes, 16.5 * MB);
  await s.step(); // nothing grew since the trim
  assert.deepEqual(s.trimCalls, 1);
  s.m.stop();
});

Deno.test("MemoryReturn does not trim a process whose RSS does not grow", async () => {
  const s = scripted([100 * MB, 101 * MB, 100.5 * MB, 101.5 * MB, 99 * MB]);
  for (let i = 0; i < 4; i++) await s.step();
  assert.deepEqual(s.trimCalls, 0);
  s.m.stop();
});

Deno.test("MemoryReturn measures growth from the RSS after the last trim", async () => {
  // Trims to 104, then grows by less than the threshold: no second trim; by more: a second one.
  const after = [104 * MB, 107 * MB];
  const s = scripted(
    [100 * MB, 110 * MB, 110 * MB, 105 * MB, 105 * MB, 112 * MB, 112 * MB],
    () => after.shift()!,
  );
  await s.step();
  await s.step(); // trim 1 -> 104
  await s.step();
  await s.step(); // 105: within 2 MB of 104
  assert.deepEqual(s.trimCalls, 1);
  await s.step(); // 112: growing
  await s.step(); // still: trim 2
  assert.deepEqual(s.trimCalls, 2);
  s.m.stop();
});

Deno.test("MemoryReturn stops when a trim fails", async () => {
  let calls = 0;
  let failure: unknown;
  let rss = 100 * MB;
  const m = new MemoryReturn({
    rss: () => rss,
    trim: () => {
      calls++;
      return Promise.reject(new Error("no glibc"));
    },
    intervalMs: 3_600_000,
    onFailure: (err) => (failure = err),
  });
  const sample = () => m.sampleNow();
  rss = 120 * MB;
  sample();
  sample();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(calls, 1);
  assert(failure instanceof Error);
  sample();
  sample();
  assert.deepEqual(calls, 1);
});

Deno.test("libcTrim() gives memory that malloc keeps after free() back to the OS", async () => {
  const trim = libcTrim();
  if (Deno.build.os !== "linux") {
    assert.equal(trim, undefined);
    return;
  }
  if (trim === undefined) throw new Error("tests run with --allow-ffi (-A)");
  await trim(); // opens the library, starts the blocking thread
  // 32 MiB in 64 KiB blocks (below malloc's mmap threshold: from an arena),
  // written to, each followed by a 16 KiB block that stays: the freed blocks
  // cannot merge into the top of the heap, where free() itself would trim
  // them, so their memory stays resident until a trim.
  const libc = Deno.dlopen("libc.so.6", {
    malloc: { parameters: ["usize"], result: "pointer" },
    free: { parameters: ["pointer"], result: "void" },
    memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
  });
  try {
    const { malloc, free, memset } = libc.symbols;
    const blocks: Deno.PointerValue[] = [];
    const kept: Deno.PointerValue[] = [];
    for (let i = 0; i < 512; i++) {
      const p = malloc(65536n);
      memset(p, 1, 65536n);
      blocks.push(p);
      kept.push(malloc(16384n));
    }
    for (const p of blocks) free(p);
    const before = processRss();
    await trim();
    const after = processRss();
    for (const p of kept) free(p);
    assert(
      before - after > 16 * MB,
      `the trim gave back ${((before - after) / MB).toFixed(1)} MiB of 32 freed`,
    );
  } finally {
    libc.close();
  }
});
