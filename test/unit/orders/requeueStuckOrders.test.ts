import { describe, expect, it } from 'vitest';
import type { OrderKey, OrderRecord, OrderStatus } from '../../../shared/orders/Order';
import { requeueStuckOrders } from '../../../shared/orders/requeueStuckOrders';
import type { OrderStore } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';
import { MemoryQueue } from '../batches/fakes';

const now = new Date('2030-01-01T12:00:00.000Z');
const clock = () => now;

/** The pending index as the sweep sees it: every order given, in pages of 100, with its record. */
function storeWith(
  orders: readonly OrderRecord[],
): Pick<OrderStore, 'pendingPages' | 'get'> & { gets: number } {
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const store = {
    gets: 0,
    async *pendingPages() {
      for (let i = 0; i < orders.length; i += 100)
        yield orders.slice(i, i + 100).map((o) => ({ channel: o.channel, orderId: o.orderId }));
    },
    get: async (key: OrderKey) => {
      store.gets++;
      return byId.get(key.orderId);
    },
  };
  return store;
}

function orderIn(status: OrderStatus, extra: Partial<OrderRecord> = {}): OrderRecord {
  return orderRecord(
    { orderId: `${status}-${extra.lockUntil ?? 'free'}`, status, attempt: 1, ...extra },
    '2030-01-01T11:00:00.000Z',
  );
}

describe('requeueStuckOrders', () => {
  it('queues every order not yet final — announced without a label included — but not one a worker holds', async () => {
    // Prepare
    const queue = new MemoryQueue();
    const store = storeWith([
      orderIn('accepted'),
      orderIn('creating', { lockUntil: '2030-01-01T11:59:00.000Z' }),
      orderIn('creating', { lockUntil: '2030-01-01T12:01:00.000Z' }),
      orderIn('announced'),
      orderIn('label_stored'),
      orderIn('failed'),
    ]);

    // Act
    const result = await requeueStuckOrders(
      { store: store as unknown as OrderStore, queue, clock },
      { olderThanMs: 10 * 60_000 },
    );

    // Assess
    expect(queue.sent.map((m) => (m.kind === 'order' ? m.orderId : m.kind))).toEqual([
      'accepted-free',
      'creating-2030-01-01T11:59:00.000Z',
      'announced-free',
    ]);
    expect(result.requeued).toBe(3);
  });
});

describe('requeueStuckOrders and end-of-day batches', () => {
  it('leaves an order its batch took to the batch, and takes it alone once the batch has not touched it for the grace', async () => {
    // Prepare: both accepted an hour ago; one assigned to a batch a minute ago, one 40 minutes ago
    const queue = new MemoryQueue();
    const waiting = {
      ...orderIn('accepted'),
      orderId: 'in-batch',
      batchId: 'eod-1',
      updatedAt: '2030-01-01T11:59:00.000Z',
    };
    const abandoned = {
      ...orderIn('accepted'),
      orderId: 'abandoned',
      batchId: 'eod-1',
      updatedAt: '2030-01-01T11:20:00.000Z',
    };
    const store = storeWith([waiting, abandoned]);

    // Act
    await requeueStuckOrders(
      { store: store as unknown as OrderStore, queue, clock },
      { olderThanMs: 60_000, batchGraceMs: 30 * 60_000 },
    );

    // Assess
    expect(queue.sent.map((m) => (m.kind === 'order' ? m.orderId : m.kind))).toEqual(['abandoned']);
  });
});

describe('requeueStuckOrders under a large end of day', () => {
  it('reads past thousands of orders a running batch holds to the stuck one behind them, and caps what one run queues', async () => {
    // Prepare: 2,500 orders a batch took a minute ago, then a stuck order and 1,200 more stuck ones
    const held = Array.from({ length: 2_500 }, (_, i) => ({
      ...orderIn('accepted'),
      orderId: `held-${i}`,
      batchId: 'eod-1',
      updatedAt: '2030-01-01T11:59:00.000Z',
    }));
    const stuck = Array.from({ length: 1_201 }, (_, i) => ({
      ...orderIn('accepted'),
      orderId: `stuck-${i}`,
    }));
    const store = storeWith([...held, ...stuck]);
    const queue = new MemoryQueue();

    // Act
    const result = await requeueStuckOrders(
      { store: store as unknown as OrderStore, queue, clock },
      { olderThanMs: 60_000, limit: 1_000 },
    );

    // Assess: none of the batch's, the first 1,000 stuck ones; every pending order was read
    const sent = queue.sent.map((m) => (m.kind === 'order' ? m.orderId : m.kind));
    expect(sent).toHaveLength(1_000);
    expect(sent[0]).toBe('stuck-0');
    expect(sent.some((id) => id.startsWith('held-'))).toBe(false);
    expect(result.requeued).toBe(1_000);
    expect(store.gets).toBe(3_701);
  });
});
