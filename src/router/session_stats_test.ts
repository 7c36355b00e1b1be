import assert from "node:assert/strict";
import type { Dict, List } from "../wamp/messages.ts";
import { SessionStats, type SessionStatsConfig, StatsPublisher } from "./session_stats.ts";

const INFO = { realm: "realm1", session: 7, authid: "a", authrole: "r" };

function config(over: Partial<SessionStatsConfig> = {}): SessionStatsConfig {
  return {
    ratedMessageSize: 512,
    triggerAfterRatedMessages: 0,
    triggerAfterDuration: 0,
    triggerOnJoin: false,
    triggerOnLeave: true,
    ...over,
  };
}

/** A publisher whose events land in `events` (after a microtask). */
function recorder(): { publisher: StatsPublisher; events: List[]; settle: () => Promise<void> } {
  const events: List[] = [];
  const publisher = new StatsPublisher((args) => events.push(args));
  return { publisher, events, settle: () => new Promise((r) => setTimeout(r, 0)) };
}

function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => t += ms };
}

Deno.test("SessionStats.count() adds bytes, messages and ceil(bytes / rated size) rated messages", () => {
  const s = new SessionStats("json");
  const { publisher } = recorder();
  s.start(config({ ratedMessageSize: 256, triggerAfterRatedMessages: 1000 }), INFO, publisher);
  for (const n of [0, 1, 256, 257, 1000]) s.count(n);
  assert.equal(s.bytes, 1514);
  assert.equal(s.messages, 5);
  assert.equal(s.ratedMessages, 0 + 1 + 1 + 2 + 4);
});

Deno.test("SessionStats.start() rates what was counted before the realm was known", () => {
  const s = new SessionStats("cbor");
  s.count(600); // HELLO
  s.count(100); // WELCOME
  assert.equal(s.ratedMessages, 0);
  s.start(
    config({ ratedMessageSize: 512, triggerAfterRatedMessages: 10 }),
    INFO,
    recorder().publisher,
  );
  assert.equal(s.ratedMessages, 2 + 1);
  assert.equal(s.bytes, 700);
  assert.equal(s.messages, 2);
});

Deno.test("SessionStats.count() publishes and resets when the rated messages reach the trigger", async () => {
  const c = clock();
  const s = new SessionStats("msgpack", c.now);
  const { publisher, events, settle } = recorder();
  s.start(config({ ratedMessageSize: 100, triggerAfterRatedMessages: 3 }), INFO, publisher);
  s.count(150); // 2 rated
  c.advance(2);
  s.count(10); // 3 rated: trigger
  assert.equal(s.messages, 0);
  s.count(50);
  await settle();
  assert.equal(events.length, 1);
  const [info, stats] = events[0] as [Dict, Dict];
  assert.deepEqual(info, INFO);
  assert.deepEqual(stats, {
    cycle: 1,
    serializer: "msgpack",
    timestamp: 1_700_000_000_000 * 1e6,
    duration: 2e6,
    bytes: 160,
    messages: 2,
    rated_messages: 3,
    first: true,
    last: false,
  });
  assert.equal(s.bytes, 50);
});

Deno.test("SessionStats.count() publishes after trigger_after_duration seconds, checked on traffic only", async () => {
  const c = clock();
  const s = new SessionStats("json", c.now);
  const { publisher, events, settle } = recorder();
  s.start(config({ triggerAfterDuration: 2 }), INFO, publisher);
  c.advance(1999);
  s.count(10);
  c.advance(5000);
  await settle();
  assert.equal(events.length, 0, "no timer: nothing without traffic");
  s.count(10);
  await settle();
  assert.equal(events.length, 1);
  assert.equal((events[0][1] as Dict).duration, 6999e6);
  assert.equal((events[0][1] as Dict).messages, 2);
});

Deno.test("SessionStats.start() with triggerOnJoin publishes first; stop() publishes last; cycles count up", async () => {
  const s = new SessionStats("json");
  const { publisher, events, settle } = recorder();
  s.count(30);
  s.start(config({ triggerOnJoin: true, triggerAfterRatedMessages: 2 }), INFO, publisher);
  s.count(1);
  s.count(1);
  s.count(5);
  s.stop();
  await settle();
  const stats = events.map((e) => e[1] as Dict);
  assert.deepEqual(stats.map((x) => [x.cycle, x.first, x.last, x.messages, x.bytes]), [
    [1, true, false, 1, 30],
    [2, false, false, 2, 2],
    [3, false, true, 1, 5],
  ]);
  s.count(1000);
  s.count(1000);
  await settle();
  assert.equal(events.length, 3, "no trigger after stop()");
});

Deno.test("SessionStats.stop() without triggerOnLeave publishes nothing; a lone last one is also first", async () => {
  const { publisher, events, settle } = recorder();
  const quiet = new SessionStats("json");
  quiet.start(config({ triggerOnLeave: false, triggerAfterRatedMessages: 5 }), INFO, publisher);
  quiet.stop();
  const lone = new SessionStats("json");
  lone.start(config({ triggerAfterRatedMessages: 5 }), INFO, publisher);
  lone.stop();
  await settle();
  assert.equal(events.length, 1);
  assert.equal((events[0][1] as Dict).first, true);
  assert.equal((events[0][1] as Dict).last, true);
});

Deno.test("StatsPublisher: no trigger fires while on_stats events are published (no feedback loop)", async () => {
  const s = new SessionStats("json");
  const events: List[] = [];
  // The subscriber of on_stats is the session itself: each event it is sent is counted.
  const publisher = new StatsPublisher((args) => {
    events.push(args);
    s.count(200);
  });
  s.start(config({ triggerAfterRatedMessages: 1 }), INFO, publisher);
  s.count(10); // trigger
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(events.length, 1);
  assert.equal(s.messages, 1, "the EVENT is counted, without a trigger");
  s.count(10); // the next message triggers, with the EVENT in it
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(events.length, 2);
  assert.equal((events[1][1] as Dict).messages, 2);
});
