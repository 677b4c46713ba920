import { describe, expect, it } from 'vitest';
import { assembleBatch, groupSizeFor } from '../../../shared/batches/assembleBatch';
import type { BatchRecord } from '../../../shared/batches/Batch';
import { settleGroupInBatch } from '../../../shared/batches/settleInBatch';
import { type StartBatchMessage, startBatch } from '../../../shared/batches/startBatch';
import { OrderMessage } from '../../../shared/orders/OrderQueue';
import { CrashError, Crasher, MemoryBatchStore, MemoryOrders, MemoryQueue } from './fakes';

const clock = () => new Date('2026-11-25T16:00:00Z');

function world(options: { readonly ready?: number; readonly lag?: boolean } = {}) {
  const orders = new MemoryOrders({ lag: options.lag ?? false });
  orders.add(options.ready ?? 7);
  return { orders, batches: new MemoryBatchStore(), queue: new MemoryQueue() };
}

async function start(w: ReturnType<typeof world>, id = 'b1', request: { channels?: string[] } = {}) {
  await startBatch(
    { account: 'default', splitBy: 'none', limit: 10_000, ...request },
    { batches: w.batches, queue: w.queue, clock, id: () => id },
  );
  const [message] = w.queue.takeStarts();
  if (!message) throw new Error('no start message was queued');
  return message;
}

/** Runs the start message and every continuation it queues, as the worker would. */
async function drain(
  w: ReturnType<typeof world>,
  first: StartBatchMessage,
  run: (message: StartBatchMessage) => Promise<unknown>,
) {
  const pending = [first];
  while (pending.length > 0) {
    const message = pending.shift();
    if (message) await run(message);
    pending.push(...w.queue.takeStarts());
  }
}

const deps = (w: ReturnType<typeof world>) => ({
  store: w.orders,
  batches: w.batches,
  queue: w.queue,
  clock,
});
/** The same stores, with each call yielding to the other runs a few times first. */
const interleaved = (w: ReturnType<typeof world>) => {
  const crasher = new Crasher(undefined, { interleave: true });
  return {
    store: crasher.wrap(w.orders),
    batches: crasher.wrap(w.batches),
    queue: crasher.wrap(w.queue),
    clock,
  };
};

/** What must hold once a batch has started, whatever happened on the way. */
async function expectConsistent(w: ReturnType<typeof world>, batchId: string) {
  const batch = (await w.batches.get(batchId)) as BatchRecord;
  const taken = w.orders.inBatch(batchId).sort();
  const members = (await w.batches.members(batchId)).map((m) => `${m.channel}#${m.orderId}`).sort();
  expect(batch.status).toBe(taken.length === 0 ? 'completed' : 'running');
  expect(batch.page).toBeUndefined();
  expect(batch.total).toBe(taken.length);
  expect(members).toEqual(taken);
  expect([...w.queue.queued(batchId)].sort()).toEqual(taken);
  return { batch, taken };
}

describe('starting a batch', () => {
  it('answers starting with nothing taken; the worker then takes every ready order in pages and runs it', async () => {
    const w = world({ ready: 7 });
    const answered = await startBatch(
      { account: 'default', splitBy: 'carrier', limit: 10_000 },
      { batches: w.batches, queue: w.queue, clock, id: () => 'b1' },
    );
    expect(answered).toMatchObject({ batchId: 'eod-2026-11-25-b1', status: 'starting', total: 0 });
    expect(w.orders.inBatch(answered.batchId)).toEqual([]);

    const [message] = w.queue.takeStarts();
    if (!message) throw new Error('no start message');
    await drain(w, message, (m) => assembleBatch(m, deps(w), { pageSize: 3, pagesPerMessage: 1 }));

    const { batch, taken } = await expectConsistent(w, answered.batchId);
    expect(taken).toHaveLength(7);
    expect(batch.pages).toBe(3);
    const groups = w.queue.sent.filter((m) => m.kind === 'batch');
    expect(groups.map((g) => (g.kind === 'batch' ? g.orders.length : 0))).toEqual([3, 3, 1]);
  });

  it('groups as many orders as the account API creates in one write: 50 on v2, 100 on v3 (Orders API)', async () => {
    expect([groupSizeFor('v2'), groupSizeFor('v3')]).toEqual([50, 100]);
    for (const version of ['v2', 'v3'] as const) {
      const w = world({ ready: 230 });
      const message = await start(w, `b-${version}`);
      await drain(w, message, (m) => assembleBatch(m, deps(w), { pageSize: groupSizeFor(version) }));
      const groups = w.queue.sent.filter((m) => m.kind === 'batch');
      expect([version, groups.map((g) => (g.kind === 'batch' ? g.orders.length : 0))]).toEqual([
        version,
        version === 'v2' ? [50, 50, 50, 50, 30] : [100, 100, 30],
      ]);
      // every group is a message the worker accepts
      for (const group of groups) expect(OrderMessage.safeParse(group).success).toBe(true);
    }
  });

  it('resumes after a crash before or after any call: no order lost, none counted twice', async () => {
    const clean = world();
    const counter = new Crasher();
    const message = await start(clean);
    await assembleBatch(
      message,
      {
        store: counter.wrap(clean.orders),
        batches: counter.wrap(clean.batches),
        queue: counter.wrap(clean.queue),
        clock,
      },
      { pageSize: 3 },
    );
    expect(counter.calls).toBeGreaterThan(20);

    for (let at = 1; at <= counter.calls; at++) {
      for (const when of ['before', 'after'] as const) {
        const w = world();
        const first = await start(w);
        const crasher = new Crasher({ at, when });
        const crashing = {
          store: crasher.wrap(w.orders),
          batches: crasher.wrap(w.batches),
          queue: crasher.wrap(w.queue),
          clock,
        };
        await expect(assembleBatch(first, crashing, { pageSize: 3 }), `${when} call ${at}`).rejects.toThrow(
          CrashError,
        );
        // The message comes back (redelivery) and runs to the end.
        w.queue.takeStarts();
        await drain(w, first, (m) => assembleBatch(m, deps(w), { pageSize: 3 }));
        const { taken } = await expectConsistent(w, first.batchId);
        expect(taken, `${when} call ${at}`).toHaveLength(7);
      }
    }
  });

  it('the caller dying between queueing and writing the record leaves a batch the worker writes and runs', async () => {
    const w = world({ ready: 4 });
    const crasher = new Crasher({ at: 1, when: 'before' });
    await expect(
      startBatch(
        { account: 'default', splitBy: 'none', limit: 10_000 },
        { batches: crasher.wrap(w.batches), queue: w.queue, clock, id: () => 'b1' },
      ),
    ).rejects.toThrow(CrashError);
    const [message] = w.queue.takeStarts();
    if (!message) throw new Error('no start message');
    await assembleBatch(message, deps(w));
    expect((await expectConsistent(w, message.batchId)).taken).toHaveLength(4);
  });

  it('a lagging ready index returning taken orders again does not count them twice', async () => {
    const w = world({ ready: 8, lag: true });
    const message = await start(w);
    await drain(w, message, (m) => assembleBatch(m, deps(w), { pageSize: 3 }));
    expect((await expectConsistent(w, message.batchId)).taken).toHaveLength(8);
  });

  it('two workers on one batch (a redelivery while the first still runs) share its pages', async () => {
    const w = world({ ready: 20 });
    const message = await start(w);
    await Promise.all([
      assembleBatch(message, interleaved(w), { pageSize: 3 }),
      assembleBatch(message, interleaved(w), { pageSize: 3 }),
    ]);
    expect((await expectConsistent(w, message.batchId)).taken).toHaveLength(20);
  });

  it('two batches started together never take one order twice', async () => {
    const w = world({ ready: 30 });
    const one = await start(w, 'one');
    const two = await start(w, 'two');
    await Promise.all([
      assembleBatch(one, interleaved(w), { pageSize: 4 }),
      assembleBatch(two, interleaved(w), { pageSize: 4 }),
    ]);
    const a = await expectConsistent(w, one.batchId);
    const b = await expectConsistent(w, two.batchId);
    // Both took some: the runs really overlapped.
    expect(a.taken.length).toBeGreaterThan(0);
    expect(b.taken.length).toBeGreaterThan(0);
    expect(a.taken.filter((o) => b.taken.includes(o))).toEqual([]);
    expect(a.taken.length + b.taken.length).toBe(30);
  });

  it('takes only the chosen channels, however many other orders wait ahead of them, up to the limit', async () => {
    const w = world({ ready: 0 });
    w.orders.add(9, { channel: 'marketplace', prefix: 'M' });
    w.orders.add(5, { channel: 'webshop', prefix: 'W' });
    const message = await start(w, 'b1', { channels: ['webshop'] });
    await assembleBatch(message, deps(w), { pageSize: 2 });
    const { taken } = await expectConsistent(w, message.batchId);
    expect(taken.every((o) => o.startsWith('webshop#'))).toBe(true);
    expect(taken).toHaveLength(5);

    const limited = world({ ready: 10 });
    await startBatch(
      { account: 'default', splitBy: 'none', limit: 4 },
      { batches: limited.batches, queue: limited.queue, clock, id: () => 'l' },
    );
    const [first] = limited.queue.takeStarts();
    if (!first) throw new Error('no start message');
    await assembleBatch(first, deps(limited), { pageSize: 3 });
    expect((await expectConsistent(limited, first.batchId)).taken).toHaveLength(4);
  });

  it('a batch with no ready orders completes at once, empty', async () => {
    const w = world({ ready: 0 });
    const message = await start(w);
    const batch = await assembleBatch(message, deps(w));
    expect(batch).toMatchObject({ status: 'completed', total: 0, files: [] });
  });

  it('is not merged while its total is unknown, and is merged once when starting ends with every order settled', async () => {
    const w = world({ ready: 5 });
    const message = await start(w);
    // Only the first page (3 orders) is taken before this message ends.
    await assembleBatch(message, deps(w), { pageSize: 3, pagesPerMessage: 1 });
    const firstPage = w.queue.sent.find((m) => m.kind === 'batch');
    if (firstPage?.kind !== 'batch') throw new Error('no group queued');
    for (const key of firstPage.orders)
      await settleGroupInBatch(message.batchId, [{ key, outcome: 'done' }], {
        batches: w.batches,
        queue: w.queue,
      });
    expect(w.queue.sent.some((m) => m.kind === 'merge')).toBe(false);
    expect((await w.batches.get(message.batchId))?.status).toBe('starting');

    await drain(w, w.queue.takeStarts()[0] ?? message, (m) => assembleBatch(m, deps(w), { pageSize: 3 }));
    const rest = w.queue.sent.filter((m) => m.kind === 'batch').slice(1);
    for (const group of rest)
      if (group.kind === 'batch')
        for (const key of group.orders)
          await settleGroupInBatch(message.batchId, [{ key, outcome: 'done' }], {
            batches: w.batches,
            queue: w.queue,
          });
    expect(w.queue.sent.filter((m) => m.kind === 'merge')).toHaveLength(1);

    // Every order settled before starting ended (and a crash before the merge was asked): a repeat asks once.
    const early = world({ ready: 2 });
    const m2 = await start(early);
    await assembleBatch(m2, deps(early), { pageSize: 3, pagesPerMessage: 1 });
    for (const key of early.queue.sent.flatMap((m) => (m.kind === 'batch' ? m.orders : [])))
      await settleGroupInBatch(m2.batchId, [{ key, outcome: 'done' }], {
        batches: early.batches,
        queue: early.queue,
      });
    expect(early.queue.sent.some((m) => m.kind === 'merge')).toBe(false);
    const [continuation] = early.queue.takeStarts();
    if (!continuation) throw new Error('no continuation');
    await assembleBatch(continuation, deps(early));
    await assembleBatch(continuation, deps(early));
    expect(early.queue.sent.filter((m) => m.kind === 'merge')).toHaveLength(1);
    expect((await early.batches.get(m2.batchId))?.status).toBe('merging');
  });
});
