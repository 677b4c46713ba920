import { describe, expect, it } from 'vitest';
import type { OrderParcel } from '../../../shared/orders/Order';
import { applyStatus, type StatusObservation } from '../../../shared/tracking/applyStatus';
import { MemoryTracking, shippedOrder } from './fakes';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const CREATED = new Date(NOW.getTime() - 3_600_000).toISOString();

/** An order shipped as two colli of one shipment, as the worker records it. */
function twoColli() {
  const memory = new MemoryTracking();
  const first = shippedOrder({ parcelId: 7001, createdAt: CREATED });
  const collo = (id: number, n: number): OrderParcel => ({
    ...(first.parcel as OrderParcel),
    id,
    trackingNumber: `3SYZXG${id}`,
    colloNumber: n,
    colloCount: 2,
  });
  const parcels = [collo(7001, 1), collo(7002, 2)];
  memory.add({ ...first, parcel: collo(7001, 1), parcels, colliTracking: {} });
  return { memory, key: { channel: first.channel, orderId: first.orderId } };
}

const sighting = (parcelId: number, statusId: number, minutesAgo: number): StatusObservation => {
  const ts = NOW.getTime() - minutesAgo * 60_000;
  return {
    account: 'default',
    parcelId,
    externalReference: 'webshop:WEB-7001',
    statusId,
    message: statusId === 11 ? 'Delivered' : 'En route to sorting center',
    observedAt: new Date(ts).toISOString(),
    ts,
    carrierTimestamp: null,
    source: 'webhook',
  };
};

describe('tracking an order of several colli', () => {
  it('keeps each collo its own status and history; the order follows collo 1; events name the collo', async () => {
    const { memory, key } = twoColli();
    const deps = memory.deps(() => NOW);
    expect(await applyStatus(sighting(7002, 3, 30), deps)).toEqual({ outcome: 'applied' });
    expect(await applyStatus(sighting(7002, 11, 10), deps)).toEqual({ outcome: 'applied' });
    // an older sighting of collo 2 lands in history, not on top; a repeat is a duplicate
    expect(await applyStatus(sighting(7002, 3, 40), deps)).toEqual({ outcome: 'stale' });
    expect(await applyStatus(sighting(7002, 11, 10), deps)).toEqual({ outcome: 'duplicate' });
    const order = memory.orders.get(`${key.channel}#${key.orderId}`);
    expect(order?.tracking).toBeUndefined();
    expect(order?.colliTracking?.['7002']).toMatchObject({ statusId: 11, status: 'delivered' });
    expect(memory.history(7002).map((h) => h.statusId)).toEqual([3, 3, 11]);
    expect(memory.history(7001)).toEqual([]);

    expect(await applyStatus(sighting(7001, 3, 5), deps)).toEqual({ outcome: 'applied' });
    expect(memory.current(key)).toMatchObject({ statusId: 3, status: 'in_transit' });
    const changes = memory.published.map((e) => e.detail as Record<string, unknown>);
    expect(changes.map((d) => [d.parcelId, d.collo, d.status, d.previousStatus])).toEqual([
      [7002, { number: 2, count: 2 }, 'in_transit', null],
      [7002, { number: 2, count: 2 }, 'delivered', 'in_transit'],
      [7001, { number: 1, count: 2 }, 'in_transit', null],
    ]);
    expect(changes.map((d) => d.trackingNumber)).toEqual(['3SYZXG7002', '3SYZXG7002', '3SYZXG7001']);
  });

  it('knows no parcel outside the shipment', async () => {
    const { memory } = twoColli();
    expect(
      await applyStatus(
        sighting(7003, 3, 5),
        memory.deps(() => NOW),
      ),
    ).toEqual({
      outcome: 'unknown_parcel',
    });
  });
});
