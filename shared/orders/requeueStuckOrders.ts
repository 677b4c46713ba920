import type { OrderStore } from '../store';
import type { OrderQueue } from './OrderQueue';

/**
 * Nothing accepted is lost: an order still `accepted` or `creating` well after it arrived (its message was
 * never sent, or went to the DLQ, or the worker's lock ran out) is queued again. The worker is safe under
 * duplicates, so re-queueing a slow order costs one no-op delivery at most.
 */
export async function requeueStuckOrders(
  deps: { readonly store: OrderStore; readonly queue: OrderQueue; readonly clock: () => Date },
  options: { readonly olderThanMs: number; readonly limit?: number },
): Promise<{ readonly requeued: number }> {
  const before = new Date(deps.clock().getTime() - options.olderThanMs);
  const keys = await deps.store.pending({ before, limit: options.limit ?? 1_000 });
  const now = deps.clock();
  const due = [];
  for (const key of keys) {
    const order = await deps.store.get(key);
    if (!order) continue;
    const held =
      order.status === 'creating' &&
      order.lockUntil !== undefined &&
      Date.parse(order.lockUntil) > now.getTime();
    if ((order.status === 'accepted' || order.status === 'creating') && !held)
      due.push({ kind: 'order' as const, channel: key.channel, orderId: key.orderId });
  }
  await deps.queue.send(due);
  return { requeued: due.length };
}
