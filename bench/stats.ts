export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile; NaN for an empty list. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function summary(values: number[]): { n: number; median: number; p95: number; min: number; max: number } {
  return { n: values.length, median: median(values), p95: quantile(values, 0.95), min: Math.min(...values), max: Math.max(...values) };
}
