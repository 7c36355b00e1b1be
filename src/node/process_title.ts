/**
 * The process title (Crossbar's controller and worker `options.title`): the
 * name `ps`, `top` and `/proc/<pid>/comm` show. Set through Node's
 * `process.title`, which Deno maps to the thread name (Linux keeps the first
 * 15 bytes).
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
