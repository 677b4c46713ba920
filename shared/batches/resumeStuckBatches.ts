import type { OrderQueue } from '../orders/OrderQueue';
import type { BatchRecord, BatchStore } from './Batch';
import type { StartBatchMessage } from './startBatch';

/**
 * Batches that have not moved for `olderThanMs` are set going again, each by the step it is stuck in — all of
 * them safe to repeat:
 * - `starting`: its start message is queued again (it was lost, or went to the DLQ);
 * - `running` or `merging`: a merge message is queued. For a running batch the merge first counts its
 *   members again (a crash between an order's outcome and the batch's count leaves it one short for good) and
 *   goes on only if every order is settled; for a merging one it is the lost or dead-lettered message again.
 *   A merge that finishes second publishes nothing.
 * Orders of a `running` batch that are themselves stuck are the order sweep's (`requeueStuckOrders`). Needs
 * only to read the table and send to the queue.
 */
export async function resumeStuckBatches(
  deps: { readonly batches: BatchStore; readonly queue: OrderQueue; readonly clock: () => Date },
  options: { readonly olderThanMs: number; readonly limit?: number },
): Promise<{ readonly resumed: number; readonly oldestAgeMs: number }> {
  const now = deps.clock().getTime();
  let resumed = 0;
  let oldestAgeMs = 0;
  for (const batch of await deps.batches.open({ limit: options.limit ?? 100 })) {
    const idleMs = now - Date.parse(batch.activeAt ?? batch.createdAt);
    if (idleMs < options.olderThanMs) continue;
    oldestAgeMs = Math.max(oldestAgeMs, now - Date.parse(batch.createdAt));
    if (await resume(batch, deps)) resumed++;
  }
  return { resumed, oldestAgeMs };
}

async function resume(
  batch: BatchRecord,
  deps: { readonly batches: BatchStore; readonly queue: OrderQueue },
): Promise<boolean> {
  switch (batch.status) {
    case 'starting': {
      const message = startMessageOf(batch);
      if (message) await deps.queue.send([message]);
      return message !== undefined;
    }
    case 'running':
    case 'merging':
      await deps.queue.send([{ kind: 'merge', batchId: batch.batchId }]);
      return true;
    case 'completed':
      return false;
  }
}

/** The message that started the batch, from what its record keeps (absent on batches from before). */
function startMessageOf(batch: BatchRecord): StartBatchMessage | undefined {
  if (!batch.selection) return undefined;
  return {
    kind: 'start-batch',
    batchId: batch.batchId,
    account: batch.account,
    splitBy: batch.splitBy,
    ...(batch.selection.channels ? { channels: [...batch.selection.channels] } : {}),
    acceptedBefore: batch.selection.acceptedBefore,
    limit: batch.selection.limit,
    createdAt: batch.createdAt,
  };
}
