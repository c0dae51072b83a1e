/** Small statistics for benchmark samples. */

/** The p-th percentile (0–100) of values, nearest-rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Completions per second, from the completion times (seconds) inside a window of `windowS`: the
 * least-squares slope of "completions so far" against time. Counting completions and dividing
 * by the window is off by up to one completion at each edge (±1% for 200 completions, more when
 * bcrypt finishes them in pairs); the slope of the whole staircase is not. Falls back to the
 * count for a handful of points.
 */
export function completionRate(doneAt: readonly number[], windowS: number): number {
  const n = doneAt.length;
  if (n < 10) return n / windowS;
  const t = [...doneAt].sort((a, b) => a - b);
  const meanT = t.reduce((sum, x) => sum + x, 0) / n;
  const meanY = (n + 1) / 2;
  let num = 0;
  let den = 0;
  t.forEach((x, i) => {
    num += (x - meanT) * (i + 1 - meanY);
    den += (x - meanT) ** 2;
  });
  return den > 0 ? num / den : n / windowS;
}

/** A number for a table: 3 significant digits, thousands grouped; "–" when missing. */
export function fmt(value: number | undefined, digits = 3): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toLocaleString("en-US");
  return Number(value.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}
