// Bounded exact-subset search: which of a customer's open invoices add up to
// the payment to the cent. Depth-first over balances (largest first) with
// sum pruning and a node budget, so a pathological customer cannot stall a batch.

export type SubsetBounds = Readonly<{ maxSize: number; maxNodes: number; maxResults: number }>;

export function findExactSubsets<T>(items: readonly T[], valueOf: (item: T) => number, target: number, bounds: SubsetBounds): T[][] {
  const sorted = items.filter((i) => valueOf(i) > 0 && valueOf(i) <= target).sort((a, b) => valueOf(b) - valueOf(a));
  const values = sorted.map(valueOf);
  const suffix = new Array<number>(values.length + 1).fill(0);
  for (let i = values.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + values[i]!;
  const results: T[][] = [];
  const picked: number[] = [];
  let nodes = 0;
  const walk = (start: number, remaining: number): void => {
    if (results.length >= bounds.maxResults || nodes >= bounds.maxNodes) return;
    if (remaining === 0) {
      if (picked.length >= 2) results.push(picked.map((i) => sorted[i]!));
      return;
    }
    if (picked.length >= bounds.maxSize || suffix[start]! < remaining) return;
    for (let i = start; i < values.length; i++) {
      nodes++;
      if (nodes >= bounds.maxNodes) return;
      const v = values[i]!;
      if (v > remaining) continue;
      // Equal values at the same depth give the same sums: try only the first.
      if (i > start && values[i - 1] === v) continue;
      picked.push(i);
      walk(i + 1, remaining - v);
      picked.pop();
      if (results.length >= bounds.maxResults) return;
    }
  };
  walk(0, target);
  return results;
}
