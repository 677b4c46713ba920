import type { OrderKey } from '../orders/Order';
import type { OrderQueue } from '../orders/OrderQueue';
import type { BatchStore } from './Batch';

/** Counts a batch order's outcome once; the order that completes the batch asks for the merge (once). */
export async function settleInBatch(
  batchId: string,
  key: OrderKey,
  outcome: { readonly outcome: 'done' | 'failed'; readonly reason?: string },
  deps: { readonly batches: BatchStore; readonly queue: OrderQueue },
): Promise<void> {
  const batch = await deps.batches.settle(batchId, key, outcome);
  if (!batch || batch.done + batch.failed < batch.total) return;
  if (await deps.batches.startMerging(batchId)) await deps.queue.send([{ kind: 'merge', batchId }]);
}
