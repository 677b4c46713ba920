import type { DetailType, EventDetail, EventPublisher } from '../events';
import type { OrderKey } from './Order';

/** How long a publisher holds an event before another may take it over (it is taken to have crashed). */
export const LEASE_MS = 60_000;

/** Where an event's publication is claimed and recorded: an order's item, or a catalogue change. */
export interface EmitLedger<K> {
  beginEmit(key: K, event: string, options: { now: Date; leaseMs: number }): Promise<boolean>;
  endEmit(key: K, event: string, options: { now: Date; published: boolean }): Promise<void>;
}

/**
 * Publishes an event once per key: concurrent duplicates skip it, a failed publish gives the right back, and
 * a publisher that crashed mid-way is replaced after the lease (the one case a subscriber may see it twice).
 */
export async function emitOnce<T extends DetailType, K = OrderKey>(
  key: K,
  detailType: T,
  detail: EventDetail<T>,
  deps: {
    readonly store: EmitLedger<K>;
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
