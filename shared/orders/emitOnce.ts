import type { DetailType, EventDetail, EventPublisher } from '../events';
import type { OrderStore } from '../store';
import type { OrderKey } from './Order';

const LEASE_MS = 60_000;

/**
 * Publishes an order's event once: concurrent duplicates skip it, a failed publish gives the right back, and
 * a publisher that crashed mid-way is replaced after the lease (the one case a subscriber may see it twice).
 */
export async function emitOnce<T extends DetailType>(
  key: OrderKey,
  detailType: T,
  detail: EventDetail<T>,
  deps: {
    readonly store: Pick<OrderStore, 'beginEmit' | 'endEmit'>;
    readonly events: EventPublisher;
    readonly clock: () => Date;
  },
): Promise<void> {
  if (!(await deps.store.beginEmit(key, detailType, { now: deps.clock(), leaseMs: LEASE_MS }))) return;
  try {
    await deps.events.publish(detailType, detail);
  } catch (error) {
    await deps.store.endEmit(key, detailType, { now: deps.clock(), published: false });
    throw error;
  }
  await deps.store.endEmit(key, detailType, { now: deps.clock(), published: true });
}
