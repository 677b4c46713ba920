import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../../shared/events';
import { acceptBatch } from '../../../shared/orders/acceptBatch';
import type { OrderKey, OrderRecord } from '../../../shared/orders/Order';
import { staticCredentials } from '../../../shared/sendcloud';
import type { CreateResult, OrderChanges, OrderStore } from '../../../shared/store';
import { MemoryQueue } from './fakes';

/** POST /orders/batch's use case against an in-memory order store: deadline, atomic orders, safe repeats. */
const example = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../docs/examples/order.json'), 'utf8'),
) as Record<string, unknown>;
const id = (key: OrderKey) => `${key.channel}#${key.orderId}`;

class MemoryOrderStore implements Pick<OrderStore, 'create' | 'get' | 'update' | 'beginEmit' | 'endEmit'> {
  readonly orders = new Map<string, OrderRecord>();
  async create(order: OrderRecord): Promise<CreateResult> {
    const existing = this.orders.get(id(order));
    if (existing) return { created: false, existing };
    this.orders.set(id(order), order);
    return { created: true, order };
  }
  async get(key: OrderKey) {
    return this.orders.get(id(key));
  }
  async update(key: OrderKey, changes: OrderChanges) {
    const order = this.orders.get(id(key));
    if (!order) return false;
    this.orders.set(id(key), { ...order, ...changes } as OrderRecord);
    return true;
  }
  async beginEmit(key: OrderKey, event: string) {
    const order = this.orders.get(id(key));
    if (!order || order.events?.[event]) return false;
    this.orders.set(id(key), {
      ...order,
      events: { ...order.events, [event]: { state: 'sending', at: '' } },
    });
    return true;
  }
  async endEmit(key: OrderKey, event: string, options: { readonly published: boolean }) {
    const order = this.orders.get(id(key));
    if (!order) return;
    const events = { ...order.events };
    if (options.published) events[event] = { state: 'sent', at: '' };
    else delete events[event];
    this.orders.set(id(key), { ...order, events });
  }
}

function setup() {
  const store = new MemoryOrderStore();
  const queue = new MemoryQueue();
  const published: string[] = [];
  const events: EventPublisher = { publish: async (type) => void published.push(type) };
  const deps = {
    store: store as unknown as OrderStore,
    queue,
    events,
    clock: () => new Date('2026-11-25T10:00:00Z'),
    directory: staticCredentials({ default: { publicKey: 'pk', secretKey: 'sk' } }),
  };
  return { store, queue, published, deps };
}

const orders = (n: number) => Array.from({ length: n }, (_, i) => ({ ...example, orderId: `B-${i}` }));

/** A Lambda with `budget` ms left at first, losing `perCheck` ms each time the use case looks. */
function remaining(budgetMs: number, perCheckMs: number) {
  let left = budgetMs;
  return () => {
    const now = left;
    left -= perCheckMs;
    return now;
  };
}

describe('acceptBatch', () => {
  it('near the deadline, answers the orders it did not start NOT_PROCESSED and stores nothing of them', async () => {
    const { store, queue, deps } = setup();
    // 9.5 s left, 1 s per order looked at, 7 s kept in reserve: three orders start, seven do not.
    const answer = await acceptBatch({ orders: orders(10) }, deps, {
      concurrency: 1,
      remainingMs: remaining(9_500, 1_000),
    });

    expect(answer).toMatchObject({ accepted: 3, rejected: 0, notProcessed: 7 });
    expect(answer.results.map((r) => r.status)).toEqual([202, 202, 202, 503, 503, 503, 503, 503, 503, 503]);
    expect(answer.results[5]).toMatchObject({
      index: 5,
      orderId: 'B-5',
      status: 503,
      code: 'NOT_PROCESSED',
      retryable: true,
    });
    expect([...store.orders.keys()].sort()).toEqual(['webshop#B-0', 'webshop#B-1', 'webshop#B-2']);
    // The accepted ones are queued now, and only they.
    expect(queue.sent.flatMap((m) => (m.kind === 'batch' ? m.orders.map((o) => o.orderId) : []))).toEqual([
      'B-0',
      'B-1',
      'B-2',
    ]);
  });

  it('a repeat of the whole batch accepts the rest; the earlier ones are duplicates, queued once', async () => {
    const { store, queue, published, deps } = setup();
    await acceptBatch({ orders: orders(6) }, deps, { concurrency: 2, remainingMs: remaining(9_000, 1_000) });
    const before = store.orders.size;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(6);

    const again = await acceptBatch({ orders: orders(6) }, deps, { remainingMs: () => 25_000 });

    expect(again).toMatchObject({ accepted: 6, rejected: 0, notProcessed: 0 });
    const duplicates = again.results.map((r) => r.status === 202 && r.duplicate);
    expect(duplicates.filter(Boolean)).toHaveLength(before);
    expect(store.orders.size).toBe(6);
    const queued = queue.sent.flatMap((m) => (m.kind === 'batch' ? m.orders.map((o) => o.orderId) : []));
    expect(queued.sort()).toEqual(orders(6).map((o) => o.orderId));
    expect(published.filter((t) => t === 'Order Accepted')).toHaveLength(6);
  });

  it('keeps request order and per-order answers when orders run side by side', async () => {
    const { deps } = setup();
    const mixed = [
      ...orders(3),
      { orderId: 'BAD' },
      { ...example, orderId: 'B-0', parcel: { weightGrams: 7 } },
    ];
    const answer = await acceptBatch({ orders: mixed }, deps, { concurrency: 5 });
    expect(answer.results.map((r) => [r.index, r.status])).toEqual([
      [0, 202],
      [1, 202],
      [2, 202],
      [3, 400],
      [4, 409],
    ]);
    expect(answer).toMatchObject({ accepted: 3, rejected: 2, notProcessed: 0 });
  });

  it('a store failure stops new orders: the failed and unstarted ones are NOT_PROCESSED, a repeat completes them', async () => {
    const { store, deps } = setup();
    const real = store.create.bind(store);
    let creates = 0;
    store.create = async (order) => {
      if (++creates === 3) throw new Error('throttled');
      return real(order);
    };
    const errors: unknown[] = [];
    const answer = await acceptBatch({ orders: orders(5) }, deps, {
      concurrency: 1,
      onError: (error) => errors.push(error),
    });
    expect(answer.results.map((r) => r.status)).toEqual([202, 202, 503, 503, 503]);
    expect(errors).toHaveLength(1);
    store.create = real;
    const again = await acceptBatch({ orders: orders(5) }, deps);
    expect(again.accepted).toBe(5);
  });
});
