/**
 * Encoding a message the router sends to many peers once. The broker sends
 * one EVENT array to every subscriber of a subscription in one synchronous
 * loop, so "the same array as the last one encoded with this serializer" is
 * the whole cache: one slot per serializer, keyed by identity.
 *
 * Safe because the router never mutates a message after sending it, and
 * transports must not mutate what they are given (ARCHITECTURE.md). Only the
 * router→peer path uses it; clients encode with the serializer directly.
 *
 * @module
 */

import type { Serializer } from "./serializer.ts";

interface Slot {
  msg: unknown;
  out: string | Uint8Array;
}

const slots = new Map<Serializer, Slot>();

/**
 * `serializer.encode(msg)`, reusing the previous result when `msg` is the very
 * array encoded last with this serializer. Throws what `encode` throws.
 */
export function encodeShared(serializer: Serializer, msg: unknown): string | Uint8Array {
  const slot = slots.get(serializer);
  if (slot !== undefined && slot.msg === msg) return slot.out;
  const out = serializer.encode(msg);
  if (slot === undefined) slots.set(serializer, { msg, out });
  else {
    slot.msg = msg;
    slot.out = out;
  }
  return out;
}
