import type { OrderStore } from '../store';
import { mapLimit } from './mapLimit';
import type { OrderRecord } from './Order';
import type { OrderQueue } from './OrderQueue';

/**
 * Nothing accepted is lost: an order not final well after it arrived is queued again until it reaches its
 * end — `accepted` or `creating` (its message was never sent, went to the DLQ, the worker's lock ran out, or
 * it waits for an unavailable method), and `announced` without a stored label (label downloads failed until
 * the message gave up). The worker is safe under duplicates and only fetches the label of an announced
 * order, so re-queueing a slow order costs one no-op delivery at most and never a second parcel.
 */
export async function requeueStuckOrders(
  deps: { readonly store: OrderStore; readonly queue: OrderQueue; readonly clock: () => Date },
  options: {
    readonly olderThanMs: number;
    /** At most this many orders queued a run (the rest wait for the next one); every pending order is read. */
    readonly limit?: number;
    /**
     * An order a batch took waits for its group message behind up to thousands of others: it is queued on
     * its own only when its batch has not touched it for this long (default 30 minutes), so a large end of day
     * is not turned into single orders.
     */
    readonly batchGraceMs?: number;
  },
): Promise<{ readonly requeued: number; readonly oldestAgeMs: number }> {
  const before = new Date(deps.clock().getTime() - options.olderThanMs);
  const limit = options.limit ?? 1_000;
  const now = deps.clock();
  let requeued = 0;
  let oldestAgeMs = 0;
  // Page through every pending order: a large end of day fills the index with orders its batch still holds,
  // and a cap on what is read would hide the stuck ones behind them.
  for await (const keys of deps.store.pendingPages({ before })) {
    const orders = await mapLimit(keys, 16, (key) => deps.store.get(key));
    const due = [];
    for (const order of orders) {
      if (!order) continue;
      oldestAgeMs = Math.max(oldestAgeMs, now.getTime() - Date.parse(order.createdAt));
      if (requeued + due.length < limit && isDue(order, now, options.batchGraceMs ?? 30 * 60_000))
        due.push({ kind: 'order' as const, channel: order.channel, orderId: order.orderId });
    }
    await deps.queue.send(due);
    requeued += due.length;
  }
  // The oldest order not final yet, sent on or not: what an alarm on a stuck order watches.
  return { requeued, oldestAgeMs };
}

function isDue(order: OrderRecord, now: Date, batchGraceMs: number): boolean {
  if (order.status === 'announced') return true;
  if (order.status === 'accepted')
    return !order.batchId || Date.parse(order.updatedAt) <= now.getTime() - batchGraceMs;
  // A worker still holds it: it will finish, or its lock runs out and the next sweep takes it.
  if (order.status === 'creating')
    return order.lockUntil === undefined || Date.parse(order.lockUntil) <= now.getTime();
  return false;
}
