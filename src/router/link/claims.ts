/**
 * Registration claims: a registration is unique across linked routers
 * (`single` cluster-wide, one invocation policy per shared registration).
 *
 * Before a REGISTER creates a registration, its router sends a claim
 * (uri, match, invoke, time) to every linked router of the realm and waits
 * for their answers. A router denies a claim when it holds a registration the
 * claim clashes with, or when it has an earlier pending claim of its own that
 * clashes (earlier: smaller time, then smaller router id — every router
 * orders two claims the same way, so exactly one of two racing claims wins).
 * A link that goes away counts as agreement, and so does a router that does
 * not answer within the timeout: availability wins, and a clash found later
 * (a partition that healed) is settled by registration time in the dealer.
 *
 * @module
 */

import type { MatchPolicy } from "../matcher.ts";
import type { Logger } from "../../log/logger.ts";
import type { LinkEndpoint } from "./link.ts";

interface Claim {
  id: number;
  key: string;
  invoke: string;
  ts: number;
  waiting: Set<LinkEndpoint>;
  done: Promise<string | undefined>;
  resolve: (clash: string | undefined) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** True when two invocation policies cannot share a registration. */
export function policiesClash(a: string, b: string): boolean {
  return a === "single" || b === "single" || a !== b;
}

/** The claims of one realm's router. */
export class Claims {
  #router: string;
  #timeoutMs: number;
  #log: Logger;
  #ids = 0;
  #byId = new Map<number, Claim>();
  #byKey = new Map<string, Claim>();

  /**
   * @param router this router's id (breaks ties between claims made at the same ms)
   * @param options `timeoutMs` (default 3000): how long to wait for answers; `logger`
   */
  constructor(router: string, options: { timeoutMs?: number; logger: Logger }) {
    this.#router = router;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#log = options.logger;
  }

  /** Claims pending (tests). */
  get pending(): number {
    return this.#byId.size;
  }

  /**
   * Claims (uri, match) with `invoke` from `links`: resolves with the clash
   * reason of the first denial, or undefined once every link agreed.
   * Undefined (no promise) when there is no link to ask.
   */
  claim(
    uri: string,
    match: MatchPolicy,
    invoke: string,
    links: LinkEndpoint[],
  ): Promise<string | undefined> | undefined {
    if (links.length === 0) return undefined;
    const key = `${match}\u0000${uri}`;
    const earlier = this.#byKey.get(key);
    if (earlier) return earlier.done.then(() => this.claim(uri, match, invoke, links));
    let resolve!: (clash: string | undefined) => void;
    const done = new Promise<string | undefined>((r) => resolve = r);
    const id = ++this.#ids;
    const c: Claim = {
      id,
      key,
      invoke,
      ts: Date.now(),
      waiting: new Set(links),
      done,
      resolve,
      timer: setTimeout(() => {
        this.#log.log(
          "warn",
          "router links: registration claim not answered in time; going ahead",
          {
            procedure: uri,
            match,
            waiting: [...c.waiting].map((l) => l.name),
          },
        );
        this.#finish(c, undefined);
      }, this.#timeoutMs),
    };
    this.#byId.set(id, c);
    this.#byKey.set(key, c);
    for (const l of links) l.sendClaim(id, uri, match, invoke, c.ts);
    return done;
  }

  /**
   * Whether a peer's claim (from router `peer`, at `ts`) clashes with a
   * pending claim of ours that comes first: the reason when it does.
   */
  clashWithPending(
    uri: string,
    match: MatchPolicy,
    invoke: string,
    ts: number,
    peer: string,
  ): string | undefined {
    const c = this.#byKey.get(`${match}\u0000${uri}`);
    if (!c || !policiesClash(c.invoke, invoke)) return undefined;
    const oursFirst = c.ts < ts || (c.ts === ts && this.#router < peer);
    return oursFirst ? `"${uri}" is being registered on router ${this.#router}` : undefined;
  }

  /** An answer from `link`. */
  answered(link: LinkEndpoint, id: number, ok: boolean, message: string): void {
    const c = this.#byId.get(id);
    if (!c || !c.waiting.delete(link)) return;
    if (!ok) this.#finish(c, message);
    else if (c.waiting.size === 0) this.#finish(c, undefined);
  }

  /** `link` is gone: it no longer holds up any claim. */
  linkGone(link: LinkEndpoint): void {
    for (const c of [...this.#byId.values()]) {
      if (c.waiting.delete(link) && c.waiting.size === 0) this.#finish(c, undefined);
    }
  }

  #finish(c: Claim, clash: string | undefined): void {
    if (this.#byId.get(c.id) !== c) return;
    clearTimeout(c.timer);
    this.#byId.delete(c.id);
    if (this.#byKey.get(c.key) === c) this.#byKey.delete(c.key);
    c.resolve(clash);
  }
}
