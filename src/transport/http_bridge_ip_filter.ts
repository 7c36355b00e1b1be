/**
 * The HTTP bridges' `require_ip` check: a list of addresses and networks a
 * request must come from. Entries are written as Crossbar accepts them:
 * `127.0.0.1`, `10.0.0.0/8`, `192.168.1.0/255.255.255.0`, `::1`, `fd00::/8`.
 * An IPv4-mapped IPv6 peer (`::ffff:10.1.2.3`) is matched as IPv4.
 *
 * @module
 */

/** One parsed network: family, address bits and prefix length. */
interface Network {
  v6: boolean;
  bits: bigint;
  prefix: number;
}

/** A parsed `require_ip` list. */
export class IpFilter {
  #nets: Network[];

  /**
   * Parses `entries`.
   *
   * @throws RangeError naming the entry (and its index) that is not an address or network
   */
  constructor(entries: readonly string[]) {
    this.#nets = entries.map((e, i) => {
      const net = parseNetwork(e);
      if (net === undefined) {
        throw new RangeError(
          `requireIp[${i}]: must be an IP address or network (e.g. "10.0.0.0/8", "::1"), got ${
            JSON.stringify(e)
          }`,
        );
      }
      return net;
    });
  }

  /** True when `address` (a hostname as Deno reports it) lies in one of the networks. */
  allows(address: string): boolean {
    const parsed = parseAddress(address);
    if (parsed === undefined) return false;
    for (const n of this.#nets) {
      if (n.v6 !== parsed.v6) continue;
      const width = n.v6 ? 128 : 32;
      const shift = BigInt(width - n.prefix);
      if (parsed.bits >> shift === n.bits >> shift) return true;
    }
    return false;
  }
}

function parseNetwork(entry: string): Network | undefined {
  const [addr, mask, extra] = entry.trim().split("/");
  if (extra !== undefined) return undefined;
  const a = parseAddress(addr);
  if (a === undefined) return undefined;
  const width = a.v6 ? 128 : 32;
  if (mask === undefined) return { ...a, prefix: width };
  if (/^\d{1,3}$/.test(mask)) {
    const prefix = Number(mask);
    return prefix <= width ? { ...a, prefix } : undefined;
  }
  if (a.v6) return undefined;
  const m = parseV4(mask);
  if (m === undefined) return undefined;
  // A dotted mask must be contiguous ones followed by zeros.
  let prefix = 0;
  while (prefix < 32 && (m >> BigInt(31 - prefix)) & 1n) prefix++;
  if ((m & ((1n << BigInt(32 - prefix)) - 1n)) !== 0n) return undefined;
  return { ...a, prefix };
}

function parseAddress(s: string): { v6: boolean; bits: bigint } | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { v6: false, bits: v4 };
  const v6 = parseV6(s.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v6: false, bits: v6 & 0xffffffffn }; // ::ffff:a.b.c.d
  return { v6: true, bits: v6 };
}

function parseV4(s: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let bits = 0n;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return undefined;
    bits = (bits << 8n) | BigInt(n);
  }
  return bits;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = parseV4(item);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let bits = 0n;
  for (const g of all) bits = (bits << 16n) | BigInt(g);
  return bits;
}
