import type {
  BatchFile,
  BatchMember,
  BatchPage,
  BatchRecord,
  BatchStore,
} from '../../../shared/batches/Batch';
import type { OrderKey, OrderRecord } from '../../../shared/orders/Order';
import type { OrderMessage, OrderQueue } from '../../../shared/orders/OrderQueue';
import type { OrderStore } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';

/**
 * In-memory stand-ins for the batch and order stores with the same conditional semantics as the DynamoDB
 * adapters (one item per key, each write all-or-nothing), and a queue that keeps what was sent.
 */
const id = (key: OrderKey) => `${key.channel}#${key.orderId}`;

interface MemberItem extends BatchMember {
  readonly page?: number;
}

export class MemoryBatchStore implements BatchStore {
  readonly records = new Map<string, BatchRecord>();
  readonly memberItems = new Map<string, Map<string, MemberItem>>();

  async create(batch: BatchRecord): Promise<boolean> {
    if (this.records.has(batch.batchId)) return false;
    this.records.set(batch.batchId, structuredClone(batch));
    return true;
  }

  async get(batchId: string): Promise<BatchRecord | undefined> {
    const record = this.records.get(batchId);
    return record ? structuredClone(record) : undefined;
  }

  async members(batchId: string): Promise<BatchMember[]> {
    return [...(this.memberItems.get(batchId)?.values() ?? [])].map(({ page: _page, ...m }) => m);
  }

  async openPage(batchId: string, page: BatchPage): Promise<boolean> {
    const batch = this.records.get(batchId);
    if (batch?.status !== 'starting' || batch.page || (batch.pages ?? 0) !== page.no) return false;
    this.records.set(batchId, { ...batch, page: structuredClone(page) });
    return true;
  }

  async claimMembers(batchId: string, no: number, orders: readonly OrderKey[]): Promise<OrderKey[]> {
    const items = this.#items(batchId);
    return orders.filter((key) => {
      const existing = items.get(id(key));
      if (existing && existing.page !== no) return false;
      items.set(id(key), { ...existing, channel: key.channel, orderId: key.orderId, page: no });
      return true;
    });
  }

  async releaseMembers(batchId: string, no: number, orders: readonly OrderKey[]): Promise<void> {
    const items = this.#items(batchId);
    for (const key of orders) {
      const existing = items.get(id(key));
      if (existing?.page === no && !existing.outcome) items.delete(id(key));
    }
  }

  async closePage(batchId: string, no: number, taken: number): Promise<boolean> {
    const batch = this.records.get(batchId);
    if (batch?.status !== 'starting' || !batch.page || (batch.pages ?? 0) !== no) return false;
    const { page: _page, ...rest } = batch;
    this.records.set(batchId, { ...rest, pages: no + 1, total: batch.total + taken });
    return true;
  }

  async finishStarting(batchId: string, at: string): Promise<BatchRecord | undefined> {
    const batch = this.records.get(batchId);
    if (batch?.status !== 'starting' || batch.page) return undefined;
    const next: BatchRecord =
      batch.total === 0
        ? { ...batch, status: 'completed', completedAt: at, files: [] }
        : { ...batch, status: 'running' };
    this.records.set(batchId, next);
    return structuredClone(next);
  }

  /** One order's outcome, once (what `settleMany` does for each). */
  async settleOne(
    batchId: string,
    key: OrderKey,
    outcome: { readonly outcome: 'done' | 'failed'; readonly reason?: string },
  ): Promise<BatchRecord | undefined> {
    const items = this.#items(batchId);
    const member = items.get(id(key));
    if (!member || member.outcome) return this.get(batchId);
    items.set(id(key), { ...member, ...outcome });
    const batch = this.records.get(batchId);
    if (!batch) return undefined;
    const next = { ...batch, [outcome.outcome]: batch[outcome.outcome] + 1 };
    this.records.set(batchId, next);
    return structuredClone(next);
  }

  async settleMany(
    batchId: string,
    settled: ReadonlyArray<{
      readonly key: OrderKey;
      readonly outcome: 'done' | 'failed';
      readonly reason?: string;
    }>,
  ): Promise<BatchRecord | undefined> {
    let batch = this.records.get(batchId);
    for (const { key, ...outcome } of settled) batch = await this.settleOne(batchId, key, outcome);
    return batch ? structuredClone(batch) : this.get(batchId);
  }

  async startMerging(batchId: string): Promise<boolean> {
    const batch = this.records.get(batchId);
    if (batch?.status !== 'running') return false;
    this.records.set(batchId, { ...batch, status: 'merging' });
    return true;
  }

  async complete(batchId: string, files: readonly BatchFile[], at: string): Promise<boolean> {
    const batch = this.records.get(batchId);
    if (batch?.status !== 'merging') return false;
    this.records.set(batchId, { ...batch, status: 'completed', files, completedAt: at });
    return true;
  }

  async open(options: { readonly limit: number }): Promise<BatchRecord[]> {
    return [...this.records.values()]
      .filter((b) => b.status !== 'completed')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, options.limit)
      .map((b) => structuredClone(b));
  }

  async recount(batchId: string): Promise<BatchRecord | undefined> {
    const batch = this.records.get(batchId);
    if (batch?.status !== 'running') return this.get(batchId);
    const members = [...this.#items(batchId).values()];
    const next = {
      ...batch,
      done: members.filter((m) => m.outcome === 'done').length,
      failed: members.filter((m) => m.outcome === 'failed').length,
    };
    this.records.set(batchId, next);
    return structuredClone(next);
  }

  #items(batchId: string): Map<string, MemberItem> {
    let items = this.memberItems.get(batchId);
    if (!items) {
      items = new Map();
      this.memberItems.set(batchId, items);
    }
    return items;
  }
}

/** Ready orders of one account; `lag` makes the ready index return assigned orders again, as a lagging GSI. */
export class MemoryOrders implements Pick<OrderStore, 'ready' | 'assignToBatch' | 'get'> {
  readonly orders = new Map<string, OrderRecord>();
  /** Orders the index still lists as ready although they were assigned (returned once more each). */
  readonly lagging: OrderKey[] = [];

  constructor(private readonly options: { readonly lag?: boolean } = {}) {}

  add(count: number, options: { readonly channel?: string; readonly prefix?: string } = {}): OrderKey[] {
    const keys: OrderKey[] = [];
    for (let i = 0; i < count; i++) {
      const key = { channel: options.channel ?? 'webshop', orderId: `${options.prefix ?? 'O'}${i}` };
      this.orders.set(id(key), readyOrder(key, this.orders.size));
      keys.push(key);
    }
    return keys;
  }

  async ready(
    account: string,
    options: { readonly before: Date; readonly limit: number },
  ): Promise<OrderKey[]> {
    const stale = this.lagging.splice(0, this.lagging.length);
    const ready = [...this.orders.values()]
      .filter(
        (o) => o.account === account && o.status === 'ready' && o.createdAt < options.before.toISOString(),
      )
      .map((o) => ({ channel: o.channel, orderId: o.orderId }));
    return [...stale, ...ready].slice(0, options.limit);
  }

  async assignToBatch(key: OrderKey, batchId: string, now: Date): Promise<boolean> {
    const order = this.orders.get(id(key));
    if (order?.status !== 'ready') return false;
    this.orders.set(id(key), { ...order, status: 'accepted', batchId, updatedAt: now.toISOString() });
    if (this.options.lag) this.lagging.push(key);
    return true;
  }

  async get(key: OrderKey): Promise<OrderRecord | undefined> {
    return this.orders.get(id(key));
  }

  inBatch(batchId: string): string[] {
    return [...this.orders.values()].filter((o) => o.batchId === batchId).map((o) => id(o));
  }
}

export class MemoryQueue implements OrderQueue {
  readonly sent: OrderMessage[] = [];
  async send(messages: readonly OrderMessage[]): Promise<void> {
    this.sent.push(...structuredClone(messages));
  }
  /** Order ids queued in `kind: 'batch'` messages for this batch. */
  queued(batchId: string): Set<string> {
    return new Set(
      this.sent.flatMap((m) => (m.kind === 'batch' && m.batchId === batchId ? m.orders.map(id) : [])),
    );
  }
  /** Takes the start messages sent so far (continuations and repeats). */
  takeStarts(): Array<Extract<OrderMessage, { kind: 'start-batch' }>> {
    const starts = this.sent.filter((m) => m.kind === 'start-batch');
    this.sent.splice(0, this.sent.length, ...this.sent.filter((m) => m.kind !== 'start-batch'));
    return starts;
  }
}

export class CrashError extends Error {
  override readonly name = 'CrashError' as const;
}

/**
 * Counts every call to the wrapped objects' methods; the call numbered `at` crashes, before it takes effect
 * or after (the write happened, the caller never learns).
 */
export class Crasher {
  calls = 0;
  #seed = 7;
  constructor(
    private readonly crash?: { readonly at: number; readonly when: 'before' | 'after' },
    /** Yields to other callers a few times before each call, so concurrent runs interleave. */
    private readonly options: { readonly interleave?: boolean } = {},
  ) {}

  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const call = ++this.calls;
          if (this.options.interleave) for (let i = this.#random() % 3; i > 0; i--) await yieldTurn();
          if (this.crash?.at === call && this.crash.when === 'before')
            throw new CrashError(`before call ${call}`);
          const result = await value.apply(object, args);
          if (this.crash?.at === call && this.crash.when === 'after')
            throw new CrashError(`after call ${call}`);
          return result;
        };
      },
    });
  }

  #random(): number {
    this.#seed = (this.#seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return this.#seed >>> 8;
  }
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function readyOrder(key: OrderKey, n: number): OrderRecord {
  return orderRecord({ ...key, status: 'ready' }, new Date(Date.UTC(2026, 10, 25, 8, 0, n)).toISOString());
}
