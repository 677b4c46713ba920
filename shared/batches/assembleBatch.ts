import { mapLimit } from '../orders/mapLimit';
import type { OrderKey } from '../orders/Order';
import type { OrderQueue } from '../orders/OrderQueue';
import type { OrderStore } from '../store';
import type { BatchPage, BatchRecord, BatchStore } from './Batch';
import { mergeWhenSettled } from './settleInBatch';
import { type StartBatchMessage, startingBatch } from './startBatch';

export interface AssembleDeps {
  readonly store: Pick<OrderStore, 'ready' | 'assignToBatch' | 'get'>;
  readonly batches: BatchStore;
  readonly queue: OrderQueue;
  readonly clock: () => Date;
}

export interface AssembleOptions {
  /**
   * Orders per page, and per queued group: 50 (v2's batch create; no maximum documented, 50 is what the
   * service has always sent) or 100 (v3's Orders API upserts 100 a call, so half the writes). Default 50, at
   * most 100.
   */
  readonly pageSize?: number;
  /**
   * Work per message: after this long (by `clock`), or this many pages, a continuation message carries on, so
   * one invocation stays well inside the worker's timeout. Defaults 60 s and 400 pages (20,000 orders, the
   * largest batch): one message usually takes a whole batch, ahead of its groups that are already queued.
   */
  readonly budgetMs?: number;
  readonly pagesPerMessage?: number;
  /** Order writes in flight at once. Default 10. */
  readonly concurrency?: number;
}

/** The largest group a batch message carries (`OrderMessage`): the Orders API's upsert maximum. */
export const MAX_GROUP = 100;
/** Orders per group for an account on this API version: a v2 batch create, or a v3 Orders API upsert. */
export const groupSizeFor = (version: 'v2' | 'v3'): number => (version === 'v3' ? MAX_GROUP : 50);

const DEFAULTS = { pageSize: 50, budgetMs: 60_000, pagesPerMessage: 400, concurrency: 10 } as const;

/**
 * The worker's side of starting a batch: ready orders are taken a page at a time. Each page is written on the
 * batch record before anything else, its orders become members, are assigned with a conditional write (an
 * order another batch took stays there), the ones taken are queued as one group, and the page is closed —
 * adding them to the total. Then the batch runs. Every step is safe to repeat, so a crash anywhere, a
 * redelivery or two workers on one batch resume the open page; no order joins two batches or is counted twice.
 */
export async function assembleBatch(
  message: StartBatchMessage,
  deps: AssembleDeps,
  options: AssembleOptions = {},
): Promise<BatchRecord | undefined> {
  const settings = {
    ...DEFAULTS,
    ...options,
    pageSize: Math.min(MAX_GROUP, options.pageSize ?? DEFAULTS.pageSize),
  };
  const started = deps.clock();
  // The caller writes the record after queueing this; if it died in between, this writes it.
  await deps.batches.create(startingBatch(message));
  const inChannels = (key: OrderKey) => !message.channels || message.channels.includes(key.channel);
  // Ready orders of other channels stay in the index ahead of the rest: each query reads past those seen.
  let skip = 0;
  for (let filled = 0; ; ) {
    const batch = await deps.batches.get(message.batchId);
    if (batch?.status !== 'starting') {
      // Starting may have ended just before a crash, with every order settled already.
      if (batch) await mergeWhenSettled(batch, deps);
      return batch;
    }
    if (
      filled === settings.pagesPerMessage ||
      deps.clock().getTime() - started.getTime() >= settings.budgetMs
    ) {
      await deps.queue.send([message]);
      return batch;
    }
    let page = batch.page;
    if (!page) {
      const want = Math.min(settings.pageSize, message.limit - batch.total);
      const asked = want > 0 ? skip + want : 0;
      const found =
        asked > 0
          ? await deps.store.ready(message.account, {
              before: new Date(message.acceptedBefore),
              limit: asked,
            })
          : [];
      const candidates = found.filter(inChannels);
      skip = found.length - candidates.length;
      if (candidates.length === 0) {
        // Only other channels' orders so far: read further, unless the index ended.
        if (asked > 0 && found.length === asked) continue;
        const finished = await deps.batches.finishStarting(message.batchId, deps.clock().toISOString());
        if (finished) await mergeWhenSettled(finished, deps);
        continue;
      }
      page = { no: batch.pages ?? 0, orders: candidates.slice(0, want) };
      // Another worker opened this page first: take its page on the next turn.
      if (!(await deps.batches.openPage(message.batchId, page))) continue;
    }
    await fillPage(message, page, deps, settings.concurrency);
    filled++;
  }
}

/** Members, assignment, one queued group, close: each step repeatable with the same result. */
async function fillPage(
  message: StartBatchMessage,
  page: BatchPage,
  deps: AssembleDeps,
  concurrency: number,
): Promise<void> {
  const { batchId } = message;
  const members = await deps.batches.claimMembers(batchId, page.no, page.orders);
  const now = deps.clock();
  const ours = await mapLimit(
    members,
    concurrency,
    async (key) =>
      (await deps.store.assignToBatch(key, batchId, now)) ||
      // Refused: taken by another batch, or by this one before a crash.
      (await deps.store.get(key))?.batchId === batchId,
  );
  const taken = members.filter((_, i) => ours[i]);
  await deps.batches.releaseMembers(
    batchId,
    page.no,
    members.filter((_, i) => !ours[i]),
  );
  if (taken.length > 0)
    await deps.queue.send([{ kind: 'batch', account: message.account, batchId, orders: taken }]);
  await deps.batches.closePage(batchId, page.no, taken.length);
}
