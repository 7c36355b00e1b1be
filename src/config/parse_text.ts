/**
 * Config text (YAML or JSON) parsed with the YAML parser, which gives every
 * error and warning its line:column. `load.ts` imports this module only
 * when it needs it (a YAML config, or a JSON one with something to report).
 *
 * @module
 */

import { LineCounter, parseDocument } from "yaml";
import { checkParsed, type ParseConfigOptions } from "./config_text.ts";
import { SourceMap } from "./source_map.ts";
import type { ConfigResult } from "./types.ts";

/**
 * Parses, expands and validates config text (YAML or JSON). Parse errors,
 * unset environment variables and validation errors all come back as
 * {@link ConfigError}s with line and column.
 */
export function parseConfigText(text: string, options: ParseConfigOptions = {}): ConfigResult {
  const file = options.file;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ""), { lineCounter, prettyErrors: false });
  const sourceMap = SourceMap.fromDocument(doc, lineCounter);
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        const err = {
          path: "",
          message: `cannot parse: ${e.message.split("\n")[0]}`,
          line,
          column: col,
        };
        return file === undefined ? err : { ...err, file };
      }),
      warnings: [],
    };
  }
  const raw = doc.toJS({ maxAliasCount: 1000 });
  if (raw === null || raw === undefined) {
    const err = { path: "", message: "the config is empty" };
    return { errors: [file === undefined ? err : { ...err, file }], warnings: [] };
  }
  return checkParsed(raw, { ...options, sourceMap });
}
