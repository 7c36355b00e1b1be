/**
 * "Did you mean ...?" for unknown keys and values.
 *
 * @module
 */

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) d[i].push(i === 0 ? j : 0);
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2][j - 2] + 1);
      }
      d[i][j] = v;
    }
  }
  return d[a.length][b.length];
}

function canonical(s: string): string {
  return s.toLowerCase().replaceAll("-", "_");
}

/**
 * The known word closest to `word`, when it is close enough to be a typo:
 * equal up to case and `-`/`_`, or within edit distance 1 (words up to 4
 * characters), 2 (up to 8) or 3 (longer). `undefined` when nothing is close.
 */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  const w = canonical(word);
  const limit = w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const distance = canonical(k) === w ? 0 : editDistance(w, canonical(k));
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
