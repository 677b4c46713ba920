import type { EventPublisher } from '../events';
import { emitOnce } from '../orders/emitOnce';
import { parcelRef } from '../orders/eventRefs';
import type { OrderStore, TrackingStore } from '../store';

/** Announced parcels that no carrier has scanned after `afterHours`: one `Parcel Stuck` event each. */
export async function checkStuckParcels(
  deps: {
    readonly store: OrderStore;
    readonly tracking: TrackingStore;
    readonly events: EventPublisher;
    readonly clock: () => Date;
  },
  options: { readonly afterHours: number; readonly limit?: number },
): Promise<{ readonly stuck: number }> {
  const now = deps.clock();
  const keys = await deps.tracking.awaitingScan({
    before: new Date(now.getTime() - options.afterHours * 3_600_000),
    limit: options.limit ?? 500,
  });
  let stuck = 0;
  for (const key of keys) {
    const order = await deps.store.get(key);
    const ref = order ? parcelRef(order) : undefined;
    const p = order?.parcel;
    if (!order || !ref || !p) continue;
    stuck++;
    await emitOnce(
      order,
      'Parcel Stuck',
      {
        ...ref,
        announcedAt: p.announcedAt,
        hoursWithoutScan: Math.floor((now.getTime() - Date.parse(p.announcedAt)) / 3_600_000),
      },
      deps,
    );
  }
  return { stuck };
}
