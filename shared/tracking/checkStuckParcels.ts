import type { EventPublisher } from '../events';
import { emitOnce } from '../orders/emitOnce';
import { parcelRef } from '../orders/eventRefs';
import { mapLimit } from '../orders/mapLimit';
import { isCancelStatus } from '../orders/Order';
import type { OrderStore, TrackingStore } from '../store';
import { hasCarrierScan } from './normalizedStatus';

/** Announced parcels that no carrier has scanned after `afterHours`: one `Parcel Stuck` event each. */
export async function checkStuckParcels(
  deps: {
    readonly store: OrderStore;
    readonly tracking: TrackingStore;
    readonly events: EventPublisher;
    readonly clock: () => Date;
  },
  options: { readonly afterHours: number; readonly concurrency?: number },
): Promise<{ readonly stuck: number }> {
  const now = deps.clock();
  const before = new Date(now.getTime() - options.afterHours * 3_600_000);
  let stuck = 0;
  // Every page of every shard: a cap would report the same oldest parcels each hour and never the rest.
  for await (const keys of deps.tracking.awaitingScan({ before })) {
    const reported = await mapLimit(keys, options.concurrency ?? 8, async (key) => {
      const order = await deps.store.get(key);
      const ref = order ? parcelRef(order) : undefined;
      const p = order?.parcel;
      if (!order || !ref || !p || isCancelStatus(order.status)) return false;
      // Scanned already: the index entry outlived the scan (a webhook that reached the order before it was recorded).
      if (order.tracking && hasCarrierScan(order.tracking.status)) return false;
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
      return true;
    });
    stuck += reported.filter(Boolean).length;
  }
  return { stuck };
}
