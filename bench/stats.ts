/** Nearest-rank percentile `p` (0–100) of ascending `sorted`; NaN when there is nothing. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
