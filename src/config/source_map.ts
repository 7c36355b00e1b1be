/**
 * Source positions of config values: which line and column of the file each
 * path came from, built from the YAML parser's node ranges. JSON files are
 * parsed by the same YAML parser (JSON is YAML 1.2), so both get positions.
 *
 * @module
 */

import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
} from "yaml";
import { type ConfigPath, formatPath } from "./path.ts";

/** A 1-based line and column. */
export interface SourcePosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

interface Entry {
  key?: SourcePosition;
  value?: SourcePosition;
}

/** Where each path of a parsed document sits in its source text. */
export class SourceMap {
  #entries = new Map<string, Entry>();

  /** Records the positions of the key and/or value at `path`. */
  set(path: ConfigPath, entry: { key?: SourcePosition; value?: SourcePosition }): void {
    this.#entries.set(formatPath(path), entry);
  }

  /**
   * The position of `path`: its key (`at: "key"`, for unknown-key errors) or
   * its value (default). A path without its own entry (a missing key, a value
   * reached through an alias) gets the position of its nearest ancestor.
   */
  locate(path: ConfigPath, at: "key" | "value" = "value"): SourcePosition | undefined {
    for (let n = path.length; n >= 0; n--) {
      const entry = this.#entries.get(formatPath(path.slice(0, n)));
      if (!entry) continue;
      const pos = at === "key" && n === path.length
        ? entry.key ?? entry.value
        : entry.value ?? entry.key;
      if (pos) return pos;
    }
    return undefined;
  }

  /** Builds the map of a document parsed with `parseDocument(text, {lineCounter})`. */
  static fromDocument(doc: Document, lineCounter: LineCounter): SourceMap {
    const map = new SourceMap();
    const pos = (node: unknown): SourcePosition | undefined => {
      const range = (node as Node | null)?.range;
      if (!range) return undefined;
      const { line, col } = lineCounter.linePos(range[0]);
      return { line, column: col };
    };
    const walk = (node: unknown, path: (string | number)[]): void => {
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
          if (key === undefined) continue;
          const child = [...path, key];
          map.set(child, { key: pos(pair.key), value: pos(pair.value) });
          walk(pair.value, child);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          const child = [...path, i];
          map.set(child, { value: pos(item) });
          walk(item, child);
        });
      } else if (isAlias(node)) {
        // an alias repeats its anchor's value: its inner paths fall back to the alias
      }
    };
    map.set([], { value: pos(doc.contents) });
    walk(doc.contents, []);
    return map;
  }
}
