import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../../shared/events';
import type { OrderKey, OrderRecord } from '../../../shared/orders/Order';
import type { OrderStore, TrackingStore } from '../../../shared/store';
import { checkStuckParcels } from '../../../shared/tracking';
import { shippedOrder } from './fakes';

const now = new Date('2030-03-01T12:00:00.000Z');

describe('checkStuckParcels', () => {
  it('reports every unscanned parcel across every page and shard, each once, however many there are', async () => {
    // Prepare: 1,234 parcels announced three days ago, in pages of 500 over two shards
    const orders = new Map<string, OrderRecord>();
    for (let i = 1; i <= 1_234; i++) {
      const order = shippedOrder({ parcelId: i, createdAt: '2030-02-26T12:00:00.000Z' });
      orders.set(order.orderId, order);
    }
    const keys = [...orders.values()].map((o) => ({ channel: o.channel, orderId: o.orderId }));
    const pages = [keys.slice(0, 500), keys.slice(500, 617), keys.slice(617, 1_117), keys.slice(1_117)];
    const tracking = {
      async *awaitingScan() {
        yield* pages;
      },
    } as unknown as TrackingStore;
    const claimed = new Set<string>();
    const store = {
      get: async (key: OrderKey) => orders.get(key.orderId),
      beginEmit: async (key: OrderKey, type: string) => {
        const id = `${key.orderId}/${type}`;
        if (claimed.has(id)) return false;
        claimed.add(id);
        return true;
      },
      endEmit: async () => undefined,
    } as unknown as OrderStore;
    const published: unknown[] = [];
    const events = { publish: async (_type: string, detail: unknown) => void published.push(detail) };
    const deps = { store, tracking, events: events as unknown as EventPublisher, clock: () => now };

    // Act: the hourly check, twice
    const first = await checkStuckParcels(deps, { afterHours: 48 });
    const second = await checkStuckParcels(deps, { afterHours: 48 });

    // Assess
    expect(first.stuck).toBe(1_234);
    expect(published).toHaveLength(1_234);
    expect(second.stuck).toBe(1_234); // still unscanned…
    expect(published).toHaveLength(1_234); // …but reported once
    expect(published[0]).toMatchObject({ hoursWithoutScan: 72 });
  });
});
