/**
 * One spare file descriptor per process (`/dev/null` held open), so a
 * listener that hits EMFILE can still take the waiting connection off the
 * accept queue and close it: the client is refused at once instead of
 * hanging in the kernel's queue until its connect times out, and the
 * listener does not spin on an accept that keeps failing.
 *
 * Without read permission on `/dev/null` there is no reserve; listeners then
 * only back off (see `accept_loop.ts`).
 *
 * @module
 */

let reserve: Deno.FsFile | undefined;
let usable: boolean | undefined;

function canUse(): boolean {
  if (usable === undefined) {
    try {
      usable = Deno.build.os !== "windows" &&
        Deno.permissions.querySync({ name: "read", path: "/dev/null" }).state === "granted";
    } catch {
      usable = false;
    }
  }
  return usable;
}

/** True when this process can hold a spare descriptor (read permission on `/dev/null`). */
export function reserveFdSupported(): boolean {
  return canUse();
}

/** True while the spare descriptor is held. */
export function reserveFdHeld(): boolean {
  return reserve !== undefined;
}

/** Takes the spare descriptor if it is not held (a no-op without permission). True when it is held now. */
export function holdReserveFd(): boolean {
  if (reserve !== undefined) return true;
  if (!canUse()) return false;
  try {
    reserve = Deno.openSync("/dev/null", { read: true });
    return true;
  } catch {
    return false;
  }
}

/** Gives the spare descriptor back to the process; true when there was one to give. */
export function releaseReserveFd(): boolean {
  if (reserve === undefined) return false;
  try {
    reserve.close();
  } catch {
    // already closed
  }
  reserve = undefined;
  return true;
}
