/**
 * The component every xbar executable has built in, for its smoke test
 * (`smoke.ts`): one export for a container worker, one for a router worker.
 *
 * @module
 */

import type { ComponentMain } from "../src/worker/component.ts";

/** Registers `xbar.smoke.add2` (in a container worker, over a transport). */
export const containerComponent: ComponentMain = async (session) => {
  await session.register("xbar.smoke.add2", ([a, b]) => (a as number) + (b as number));
};

/** Registers `xbar.smoke.where` (in the router worker, on an in-process session). */
export const routerComponent: ComponentMain = async (session) => {
  await session.register("xbar.smoke.where", () => "router");
};
