import { randomUUID } from 'node:crypto';
import type { OrderKey } from '../orders/Order';
import type { OrderMessage, OrderQueue } from '../orders/OrderQueue';
import type { OrderStore } from '../store';
import type { BatchRecord, BatchStore, StartBatchRequest } from './Batch';

const GROUP = 50;

/**
 * The end-of-day run: every ready order of the account (optionally by channel, accepted before the cut-off)
 * joins one batch and goes to the workers in groups of 50 for SendCloud's batch create. An order another
 * batch already took is skipped, so two runs never ship one order twice.
 */
export async function startBatch(
  request: StartBatchRequest,
  deps: {
    readonly store: OrderStore;
    readonly batches: BatchStore;
    readonly queue: OrderQueue;
    readonly clock: () => Date;
  },
): Promise<BatchRecord> {
  const now = deps.clock();
  const before = request.acceptedBefore ? new Date(request.acceptedBefore) : now;
  const ready = (await deps.store.ready(request.account, { before, limit: request.limit })).filter(
    (key) => !request.channels || request.channels.includes(key.channel),
  );
  const batchId = `eod-${now.toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const taken: OrderKey[] = [];
  for (const key of ready) if (await deps.store.assignToBatch(key, batchId, now)) taken.push(key);
  const batch: BatchRecord = {
    batchId,
    account: request.account,
    status: taken.length === 0 ? 'completed' : 'running',
    splitBy: request.splitBy,
    total: taken.length,
    done: 0,
    failed: 0,
    createdAt: now.toISOString(),
    ...(taken.length === 0 ? { completedAt: now.toISOString(), files: [] } : {}),
  };
  await deps.batches.create(batch, taken);
  const messages: OrderMessage[] = [];
  for (let i = 0; i < taken.length; i += GROUP)
    messages.push({ kind: 'batch', account: request.account, batchId, orders: taken.slice(i, i + GROUP) });
  await deps.queue.send(messages);
  return batch;
}
