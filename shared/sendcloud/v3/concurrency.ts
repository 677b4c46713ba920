/** Runs `work` for every item with at most `limit` in flight; resolves when all have settled. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError('concurrency must be a positive integer');
  // The workers share one iterator, so each item is taken exactly once.
  const queue = items.values();
  const worker = async (): Promise<void> => {
    for (const item of queue) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
