import type { OrderQueue } from '../orders/OrderQueue';
import type { BatchRecord, BatchStore, SettledMember } from './Batch';

/**
 * Counts the outcomes of a batch's orders settled together, once each, the batch's counts in one write; the
 * group that completes the batch asks for the merge (once).
 */
export async function settleGroupInBatch(
  batchId: string,
  settled: readonly SettledMember[],
  deps: { readonly batches: BatchStore; readonly queue: OrderQueue },
): Promise<void> {
  if (settled.length === 0) return;
  const batch = await deps.batches.settleMany(batchId, settled);
  if (batch) await mergeWhenSettled(batch, deps);
}

/**
 * Queues the merge once every order of a `running` batch is settled. A `starting` batch's total is not final
 * (its first orders may all settle before the rest are taken): the end of starting calls this again.
 */
export async function mergeWhenSettled(
  batch: BatchRecord,
  deps: { readonly batches: BatchStore; readonly queue: OrderQueue },
): Promise<void> {
  if (batch.status !== 'running' || batch.done + batch.failed < batch.total) return;
  if (await deps.batches.startMerging(batch.batchId))
    await deps.queue.send([{ kind: 'merge', batchId: batch.batchId }]);
}
