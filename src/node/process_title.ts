/**
 * The process title (Crossbar's controller and worker `options.title`): the
 * name `ps`, `top` and `/proc/<pid>/comm` show, set through Node's
 * `process.title` (Linux keeps the first 15 bytes of the name). As with
 * Crossbar's setproctitle, the command line `ps` shows becomes the title, so
 * the node sets only titles the config names, not the defaults.
 *
 * @module
 */

import process from "node:process";

/** Sets this process's title; false when the platform does not allow it. */
export function setProcessTitle(title: string): boolean {
  if (title === "") return false;
  try {
    process.title = title;
    return true;
  } catch {
    return false;
  }
}
