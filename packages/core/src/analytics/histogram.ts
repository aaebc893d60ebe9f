/**
 * Percentiles from the rollups' histograms (`analytics_daily_histogram`): `values` ascending, each
 * occurring `counts` times. Same as PostgreSQL's `percentile_cont` over the values each repeated its
 * count: the fraction's position `f × (n − 1)` between the k-th and k+1-th value, interpolated linearly.
 */
export function histogramPercentile(
  values: readonly number[],
  counts: readonly number[],
  fraction: number,
): number | null {
  const n = counts.reduce((sum, c) => sum + c, 0);
  if (n === 0) return null;
  const position = fraction * (n - 1);
  const lower = Math.floor(position);
  const below = valueAt(values, counts, lower);
  if (position === lower) return below;
  return below + (valueAt(values, counts, lower + 1) - below) * (position - lower);
}

/** The k-th value (0-based) of the sorted sample. */
function valueAt(values: readonly number[], counts: readonly number[], k: number): number {
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    seen += counts[i]!;
    if (k < seen) return values[i]!;
  }
  return values.at(-1)!;
}
