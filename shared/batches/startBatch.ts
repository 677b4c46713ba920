import { randomUUID } from 'node:crypto';
import type { OrderMessage, OrderQueue } from '../orders/OrderQueue';
import type { BatchRecord, BatchStore, StartBatchRequest } from './Batch';

export type StartBatchMessage = Extract<OrderMessage, { kind: 'start-batch' }>;

/**
 * The end-of-day run, started: one message and one record, whatever the number of ready orders. The orders
 * worker then takes them page by page (`assembleBatch`). The message goes first and carries the record's
 * content: if this caller dies before the record is written, the worker writes it, so nothing is left
 * half-made. Answers the batch as `starting`.
 */
export async function startBatch(
  request: StartBatchRequest,
  deps: {
    readonly batches: BatchStore;
    readonly queue: OrderQueue;
    readonly clock: () => Date;
    /** Default: 8 random hex digits. */
    readonly id?: () => string;
  },
): Promise<BatchRecord> {
  const now = deps.clock();
  const message: StartBatchMessage = {
    kind: 'start-batch',
    batchId: `eod-${now.toISOString().slice(0, 10)}-${deps.id?.() ?? randomUUID().slice(0, 8)}`,
    account: request.account,
    splitBy: request.splitBy,
    ...(request.channels ? { channels: request.channels } : {}),
    acceptedBefore: request.acceptedBefore ?? now.toISOString(),
    limit: request.limit,
    createdAt: now.toISOString(),
  };
  await deps.queue.send([message]);
  const batch = startingBatch(message);
  // Already there: the worker was quicker and wrote it; answer what it has.
  if (!(await deps.batches.create(batch))) return (await deps.batches.get(batch.batchId)) ?? batch;
  return batch;
}

/** The record of a batch that has taken no orders yet. */
export function startingBatch(message: StartBatchMessage): BatchRecord {
  return {
    batchId: message.batchId,
    account: message.account,
    status: 'starting',
    splitBy: message.splitBy,
    total: 0,
    done: 0,
    failed: 0,
    createdAt: message.createdAt,
    selection: {
      ...(message.channels ? { channels: message.channels } : {}),
      acceptedBefore: message.acceptedBefore,
      limit: message.limit,
    },
    pages: 0,
  };
}
