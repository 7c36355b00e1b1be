import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { encodeFrame, FrameDecoder, FrameError, FrameWriter, readFrames } from "./stdio_frames.ts";

Deno.test("FrameDecoder.push() returns frames split across chunks and several frames from one chunk", () => {
  const a = encodeFrame([1, { x: "grüß" }]);
  const b = encodeFrame([2, "y"]);
  const all = new Uint8Array([...a, ...b]);
  const d = new FrameDecoder();
  deepStrictEqual(d.push(all.subarray(0, 3)), []);
  deepStrictEqual(d.push(all.subarray(3, a.length + 2)), [[1, { x: "grüß" }]]);
  strictEqual(d.pending, 2);
  deepStrictEqual(d.push(all.subarray(a.length + 2)), [[2, "y"]]);
  strictEqual(d.pending, 0);
  deepStrictEqual(new FrameDecoder().push(all), [[1, { x: "grüß" }], [2, "y"]]);
});

Deno.test("encodeFrame()/FrameDecoder carry binary values (JSON's \\0+base64 convention)", () => {
  const bytes = new Uint8Array([0, 1, 254, 255]);
  deepStrictEqual(new FrameDecoder().push(encodeFrame([48, 1, {}, "p", [bytes]])), [[
    48,
    1,
    {},
    "p",
    [bytes],
  ]]);
});

Deno.test("FrameDecoder.push() throws FrameError for an oversized length or a body that is not JSON", () => {
  throws(() => new FrameDecoder(10).push(encodeFrame("a long string here")), FrameError);
  throws(() => new FrameDecoder().push(new Uint8Array([0, 0, 0, 2, 0x7b, 0x7b])), FrameError);
});

Deno.test("FrameWriter → readFrames() over a stream pair keeps order and ends cleanly", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const w = new FrameWriter(writable, () => {});
  for (let i = 0; i < 100; i++) w.write([i]);
  const got: unknown[] = [];
  const ended = readFrames(readable, (v) => got.push(v));
  await w.close();
  strictEqual(await ended, undefined);
  deepStrictEqual(got, Array.from({ length: 100 }, (_, i) => [i]));
});

Deno.test("readFrames() reports a stream that ends inside a frame", async () => {
  const frame = encodeFrame(["x"]);
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(frame.subarray(0, frame.length - 1));
      c.close();
    },
  });
  const err = await readFrames(source, () => {});
  strictEqual(err instanceof FrameError, true);
});
