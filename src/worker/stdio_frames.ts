/**
 * The frame channel between the controller and a worker process: WAMP
 * messages over the worker's stdin (controller → worker) and stdout
 * (worker → controller), each as a 4-byte big-endian length followed by that
 * many bytes of JSON (with the spec's `"\0"+base64` convention for binary).
 *
 * Nothing else may write to a worker's stdout: its logs go to stderr (see
 * `src/log/console_logger.ts`) and `installStdoutGuard()` sends `console.log`
 * there too.
 *
 * @module
 */

import { decodeJson, encodeJson } from "../serializer/json.ts";

/** Largest frame either side accepts, in bytes (a larger length ends the channel). */
export const MAX_FRAME_BYTES: number = 64 * 1024 * 1024;

const encoder = new TextEncoder();

/** Encodes one value as a frame (length prefix + JSON). */
export function encodeFrame(value: unknown): Uint8Array {
  const body = encoder.encode(encodeJson(value));
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** Thrown by `FrameDecoder.push` when the stream cannot be a frame channel. */
export class FrameError extends Error {
  /** @param message what was wrong */
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

/** Turns a byte stream back into decoded values, frame by frame. */
export class FrameDecoder {
  #buf: Uint8Array = new Uint8Array(0);
  #maxBytes: number;

  /** @param maxBytes largest frame accepted (default `MAX_FRAME_BYTES`) */
  constructor(maxBytes: number = MAX_FRAME_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Appends `chunk` and returns every value completed by it, in order.
   * Throws `FrameError` for an oversized length or a frame that is not JSON.
   */
  push(chunk: Uint8Array): unknown[] {
    let buf: Uint8Array;
    if (this.#buf.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.#buf.length + chunk.length);
      buf.set(this.#buf);
      buf.set(chunk, this.#buf.length);
    }
    const out: unknown[] = [];
    let off = 0;
    while (buf.length - off >= 4) {
      const len = new DataView(buf.buffer, buf.byteOffset + off, 4).getUint32(0);
      if (len > this.#maxBytes) {
        throw new FrameError(`frame of ${len} bytes is over the limit of ${this.#maxBytes}`);
      }
      if (buf.length - off - 4 < len) break;
      const body = buf.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      try {
        out.push(decodeJson(body));
      } catch (err) {
        throw new FrameError(`frame is not JSON: ${err instanceof Error ? err.message : err}`);
      }
    }
    this.#buf = off === buf.length ? new Uint8Array(0) : buf.slice(off);
    return out;
  }

  /** Bytes of an incomplete frame still buffered. */
  get pending(): number {
    return this.#buf.length;
  }
}

/**
 * Writes frames to a byte sink in order, one write at a time, without ever
 * throwing: a failed write (the other side is gone) calls `onError` once and
 * drops everything after it.
 */
export class FrameWriter {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #queue: Uint8Array[] = [];
  #writing = false;
  #failed = false;
  #onError: (err: unknown) => void;
  #idle: (() => void)[] = [];

  /**
   * @param sink where frames go (a child's stdin, or this process's stdout)
   * @param onError called once when a write fails
   */
  constructor(sink: WritableStream<Uint8Array>, onError: (err: unknown) => void) {
    this.#writer = sink.getWriter();
    this.#onError = onError;
  }

  /** Queues one value as a frame. */
  write(value: unknown): void {
    if (this.#failed) return;
    this.#queue.push(encodeFrame(value));
    if (!this.#writing) this.#pump();
  }

  /** Resolves when everything queued so far is written (or writing failed). */
  flushed(): Promise<void> {
    if (!this.#writing && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Flushes, then closes the sink. Never rejects. */
  async close(): Promise<void> {
    await this.flushed();
    try {
      await this.#writer.close();
    } catch {
      // already closed or broken: nothing left to do
    }
  }

  async #pump(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#failed) {
        const batch = this.#queue;
        this.#queue = [];
        let bytes: Uint8Array;
        if (batch.length === 1) bytes = batch[0];
        else {
          let n = 0;
          for (const b of batch) n += b.length;
          bytes = new Uint8Array(n);
          n = 0;
          for (const b of batch) {
            bytes.set(b, n);
            n += b.length;
          }
        }
        try {
          await this.#writer.write(bytes);
        } catch (err) {
          this.#failed = true;
          this.#queue = [];
          this.#onError(err);
        }
      }
    } finally {
      this.#writing = false;
      const idle = this.#idle;
      this.#idle = [];
      for (const f of idle) f();
    }
  }
}

/**
 * Reads frames from `source` until it ends, calling `onValue` for each
 * decoded value. Resolves with `undefined` at a clean end of stream, or with
 * the error that ended it (a `FrameError` or a read error). Never rejects.
 */
export async function readFrames(
  source: ReadableStream<Uint8Array>,
  onValue: (value: unknown) => void,
): Promise<Error | undefined> {
  const decoder = new FrameDecoder();
  const reader = source.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        return decoder.pending > 0
          ? new FrameError(`stream ended inside a frame (${decoder.pending} bytes)`)
          : undefined;
      }
      for (const v of decoder.push(value)) onValue(v);
    }
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // a pending read keeps the lock in some runtimes: harmless here
    }
  }
}
