/**
 * Human-readable figures, shared by the status page and `xbar status`.
 *
 * @module
 */

/** `512 B`, `1.5 MiB`; empty for a missing value. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** `0.5`, `12`, `3.4k`, `1.2M` (per second figures); `–` for a missing value. */
export function formatRate(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  if (n >= 10) return String(Math.round(n));
  return n === 0 ? "0" : n.toFixed(1);
}

/** `3d 4h`, `2h 5m`, `4m 10s`, `12s`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
