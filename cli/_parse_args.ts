/**
 * Command-line parsing of the subset of `node:util`'s `parseArgs` that the
 * commands use (`strict: true`, no positionals, string and boolean options
 * with one-letter short names and defaults), without importing `node:util`:
 * a process's first `node:` import sets up Deno's Node compatibility layer,
 * which `xbar start` should not pay before it spawns its router workers. The
 * test beside this file compares results and refusals with `parseArgs`.
 *
 * @module
 */

/** One option: its type, a one-letter short name, a default. */
export type OptionSpec = { type: "string" | "boolean"; short?: string; default?: string | boolean };

/** The option values of `args`; throws `TypeError` (with the reason) for a bad command line. */
export function parseOptions(
  args: readonly string[],
  options: Record<string, OptionSpec>,
): Record<string, string | boolean | undefined> {
  const values: Record<string, string | boolean | undefined> = Object.create(null);
  const shortNames = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short !== undefined) shortNames.set(spec.short, name);
  }
  const valueOf = (name: string, shown: string, i: number): string => {
    const next = args[i];
    if (next === undefined) throw new TypeError(`Option '${shown} <value>' argument missing`);
    if (next.startsWith("-")) {
      throw new TypeError(
        `Option '${shown}' argument is ambiguous.\nDid you forget to specify the option argument for '${shown}'?\nTo specify an option argument starting with a dash use '--${name}=-XYZ'.`,
      );
    }
    return next;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      if (i + 1 < args.length) throw new TypeError(`Unexpected argument '${args[i + 1]}'`);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = Object.hasOwn(options, name) ? options[name] : undefined;
      if (spec === undefined) throw new TypeError(`Unknown option '--${name}'`);
      if (spec.type === "boolean") {
        if (eq >= 0) throw new TypeError(`Option '--${name}' does not take an argument`);
        values[name] = true;
      } else if (eq >= 0) {
        values[name] = arg.slice(eq + 1);
      } else {
        values[name] = valueOf(name, `--${name}`, ++i);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j];
        const name = shortNames.get(letter);
        if (name === undefined) throw new TypeError(`Unknown option '-${letter}'`);
        if (options[name].type === "boolean") {
          values[name] = true;
          continue;
        }
        const rest = arg.slice(j + 1);
        values[name] = rest !== "" ? rest : valueOf(name, `-${letter}, --${name}`, ++i);
        break;
      }
      continue;
    }
    throw new TypeError(`Unexpected argument '${arg}'`);
  }
  for (const [name, spec] of Object.entries(options)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  return { ...values };
}
