/** The middle value; with an even count, the mean of the two middle ones. 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? 0;
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The median of readings that may be missing (no /proc): undefined if any is. */
export function medianOf(values: readonly (number | undefined)[]): number | undefined {
  return values.some((value) => value === undefined) ? undefined : median(values as number[]);
}
