/**
 * Test hosts in Linux network namespaces: N namespaces joined to one bridge
 * namespace by veth pairs, addresses from the documentation range
 * 198.51.100.0/24 (host i gets 198.51.100.(i+1)). A host's link can be taken
 * down and up again (a network partition), and commands run "on" a host with
 * `ip netns exec`. Needs root (sessions and CI are); everything made is
 * removed by `close()`, also after a failure.
 *
 * @module
 */

/** True when this process may create network namespaces (root with `ip`). */
export function netnsAvailable(): boolean {
  if (Deno.uid() !== 0) return false;
  try {
    const out = new Deno.Command("ip", { args: ["netns", "list"], stdout: "null", stderr: "null" })
      .outputSync();
    return out.success;
  } catch {
    return false;
  }
}

async function ip(...args: string[]): Promise<void> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** Hosts on one virtual network. */
export class NetnsHosts {
  /** Namespace names, by host index. */
  readonly names: string[];
  /** IPv4 addresses, by host index. */
  readonly addrs: string[];
  #bridge: string;
  #tag: string;

  private constructor(tag: string, n: number) {
    this.#tag = tag;
    this.#bridge = `${tag}br`;
    this.names = Array.from({ length: n }, (_, i) => `${tag}h${i}`);
    this.addrs = Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}`);
  }

  /** Creates `n` hosts (removing what is left if creating fails). */
  static async create(n: number): Promise<NetnsHosts> {
    const tag = `xb${Deno.pid % 10000}${Math.floor(Math.random() * 100)}`;
    const h = new NetnsHosts(tag, n);
    try {
      await ip("netns", "add", h.#bridge);
      await ip("-n", h.#bridge, "link", "add", "br0", "type", "bridge");
      await ip("-n", h.#bridge, "link", "set", "br0", "up");
      for (let i = 0; i < n; i++) {
        const ns = h.names[i];
        const inner = `${tag}i${i}`;
        const outer = `${tag}o${i}`;
        await ip("netns", "add", ns);
        await ip("link", "add", inner, "type", "veth", "peer", "name", outer);
        await ip("link", "set", inner, "netns", ns);
        await ip("link", "set", outer, "netns", h.#bridge);
        await ip("-n", ns, "link", "set", inner, "name", "eth0");
        await ip("-n", ns, "addr", "add", `${h.addrs[i]}/24`, "dev", "eth0");
        await ip("-n", ns, "link", "set", "eth0", "up");
        await ip("-n", ns, "link", "set", "lo", "up");
        await ip("-n", h.#bridge, "link", "set", outer, "master", "br0");
        await ip("-n", h.#bridge, "link", "set", outer, "up");
      }
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  /** Takes host `i` off the network (its cable pulled). */
  async partition(i: number): Promise<void> {
    await ip("-n", this.#bridge, "link", "set", `${this.#tag}o${i}`, "down");
  }

  /** Puts host `i` back on the network. */
  async heal(i: number): Promise<void> {
    await ip("-n", this.#bridge, "link", "set", `${this.#tag}o${i}`, "up");
  }

  /** `ip netns exec <host i> <cmd> <args...>` as a Deno.Command (spawn it yourself). */
  command(i: number, cmd: string, args: string[], options: Deno.CommandOptions = {}): Deno.Command {
    return new Deno.Command("ip", {
      ...options,
      args: ["netns", "exec", this.names[i], cmd, ...args],
    });
  }

  /** Removes every namespace (their veths go with them). Idempotent. */
  async close(): Promise<void> {
    for (const ns of [...this.names, this.#bridge]) {
      await new Deno.Command("ip", { args: ["netns", "del", ns], stdout: "null", stderr: "null" })
        .output();
    }
  }
}
