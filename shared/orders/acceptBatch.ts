import type { CredentialsSource } from '../sendcloud/accounts';
import { UnknownAccountError } from '../sendcloud/UnknownAccountError';
import * as z from '../validation/zod';
import { type AcceptDeps, acceptOrder } from './acceptOrder';
import { mapLimit } from './mapLimit';
import type { OrderMessage } from './OrderQueue';
import { fieldProblems, OrderRequest } from './OrderRequest';
import { rejectOrder } from './rejectOrder';

export const MAX_BATCH_ORDERS = 500;
const GROUP = 50;

export const BatchRequest = z.object({
  orders: z
    .array(z.unknown())
    .check(
      z.minLength(1, 'at least one order'),
      z.maxLength(MAX_BATCH_ORDERS, `at most ${MAX_BATCH_ORDERS} orders per batch`),
    ),
});
export type BatchRequest = z.infer<typeof BatchRequest>;

export type BatchItemAnswer =
  | {
      readonly index: number;
      readonly status: 202;
      readonly orderId: string;
      readonly channel: string;
      readonly duplicate: boolean;
      readonly links: { self: string; label: string };
    }
  | {
      readonly index: number;
      readonly status: 400 | 409;
      readonly orderId: string | null;
      readonly message: string;
      readonly errors?: ReturnType<typeof fieldProblems>;
    }
  | {
      readonly index: number;
      /**
       * Not started before the request's deadline (nothing of it is stored), or stopped by a failure: sending
       * it again is safe either way.
       */
      readonly status: 503;
      readonly orderId: string | null;
      readonly code: 'NOT_PROCESSED';
      readonly retryable: true;
      readonly message: string;
    };

export interface BatchAnswer {
  readonly accepted: number;
  /** Refused for their content (400) or a conflicting earlier order (409): sending them again will not help. */
  readonly rejected: number;
  /** Not processed (503): send exactly these again. */
  readonly notProcessed: number;
  readonly results: BatchItemAnswer[];
}

export interface AcceptBatchOptions {
  /** Orders accepted at once. Default 10: each is a few conditional writes and maybe a SendCloud lookup. */
  readonly concurrency?: number;
  /** Time left for this request (Lambda's `getRemainingTimeInMillis`). Default: no deadline. */
  readonly remainingMs?: () => number;
  /**
   * No order starts with less time left than this. Default 7 s: the slowest order (two SendCloud lookups,
   * each cut off at 2.5 s, and its writes) plus queueing the accepted ones and storing the answer.
   */
  readonly marginMs?: number;
  /** Sees an error that made an order NOT_PROCESSED (to log its name). */
  readonly onError?: (error: unknown) => void;
}

const DEFAULTS = { concurrency: 10, marginMs: 7_000 } as const;

type AcceptBatchDeps = AcceptDeps & {
  readonly directory: CredentialsSource;
  /** Checks beyond the schema (a service point exists and fits): problems make the order a 400. */
  readonly check?: (order: OrderRequest) => Promise<ReadonlyArray<{ path: string; message: string }>>;
};

/**
 * Accepts every valid order of a batch (each once, as `POST /orders` would), a few at a time, and queues them
 * in groups. Each order is accepted whole or not started: orders the deadline leaves no time for are
 * answered NOT_PROCESSED, and sending them again (even with the others) is safe — the accepted ones come
 * back as duplicates.
 */
export async function acceptBatch(
  body: BatchRequest,
  deps: AcceptBatchDeps,
  options: AcceptBatchOptions = {},
): Promise<BatchAnswer> {
  const settings = { ...DEFAULTS, ...options };
  const toQueue = new Map<string, Array<{ channel: string; orderId: string }>>();
  let stopped = false;
  const results = await mapLimit(body.orders, settings.concurrency, async (raw, index) => {
    // Echoed back as sent, bounded: 500 oversized ids must not push the answer past Lambda's 6 MB.
    const orderId =
      typeof raw === 'object' && raw !== null && 'orderId' in raw && typeof raw.orderId === 'string'
        ? raw.orderId.slice(0, 100)
        : null;
    if (stopped || (settings.remainingMs && settings.remainingMs() < settings.marginMs))
      return notProcessed(index, orderId);
    let answer: Awaited<ReturnType<typeof acceptOne>>;
    try {
      answer = await acceptOne(raw, index, orderId, deps);
    } catch (error) {
      // A store or queue that fails one order likely fails the next: start no more. What this one wrote is
      // completed by the repeat (a duplicate is queued and announced if it was not).
      stopped = true;
      settings.onError?.(error);
      return notProcessed(index, orderId);
    }
    if (answer.status === 202 && answer.queue) {
      const group = toQueue.get(answer.queue.account) ?? [];
      if (!group.some((o) => o.channel === answer.channel && o.orderId === answer.orderId))
        group.push({ channel: answer.channel, orderId: answer.orderId });
      toQueue.set(answer.queue.account, group);
    }
    if (answer.status !== 202) return answer;
    const { queue: _queue, ...accepted } = answer;
    return accepted;
  });
  const messages: OrderMessage[] = [];
  for (const [account, orders] of toQueue) {
    for (let i = 0; i < orders.length; i += GROUP)
      messages.push({ kind: 'batch', account, orders: orders.slice(i, i + GROUP) });
  }
  await deps.queue.send(messages);
  const now = deps.clock().toISOString();
  const queued = messages.flatMap((m) => (m.kind === 'batch' ? m.orders : []));
  await mapLimit(queued, settings.concurrency, (key) => deps.store.update(key, { enqueuedAt: now }));
  const count = (status: number) => results.filter((r) => r.status === status).length;
  return {
    accepted: count(202),
    rejected: count(400) + count(409),
    notProcessed: count(503),
    results,
  };
}

const notProcessed = (index: number, orderId: string | null): BatchItemAnswer => ({
  index,
  status: 503,
  orderId,
  code: 'NOT_PROCESSED',
  retryable: true,
  message: 'Not processed (the request ran out of time, or a temporary failure): send this order again.',
});

/** One order, as POST /orders would take it; `queue` says whether it still has to be queued. */
async function acceptOne(
  raw: unknown,
  index: number,
  orderId: string | null,
  deps: AcceptBatchDeps,
): Promise<
  | (Extract<BatchItemAnswer, { status: 202 }> & { readonly queue?: { readonly account: string } })
  | Exclude<BatchItemAnswer, { status: 202 }>
> {
  const parsed = OrderRequest.safeParse(raw);
  if (!parsed.success) {
    await rejectOrder(raw, parsed.error, deps);
    return { index, status: 400, orderId, message: 'invalid order', errors: fieldProblems(parsed.error) };
  }
  const order = parsed.data;
  try {
    await deps.directory.credentials(order.account);
  } catch (error) {
    if (!(error instanceof UnknownAccountError)) throw error;
    return { index, status: 400, orderId, message: error.message };
  }
  const problems = (await deps.check?.(order)) ?? [];
  if (problems.length > 0) {
    const error = new z.ZodError(
      problems.map((p) => ({
        code: 'custom' as const,
        path: p.path.split('.'),
        message: p.message,
        input: undefined,
      })),
    );
    await rejectOrder(raw, error, deps);
    return { index, status: 400, orderId, message: 'invalid order', errors: fieldProblems(error) };
  }
  const outcome = await acceptOrder(order, deps, { deferQueueing: true });
  if (outcome.outcome === 'conflict') return { index, status: 409, orderId, message: outcome.message };
  const stored = await deps.store.get(order);
  return {
    index,
    status: 202,
    orderId: order.orderId,
    channel: order.channel,
    duplicate: !outcome.created,
    links: outcome.body.links,
    ...(stored && !stored.enqueuedAt && stored.status !== 'ready'
      ? { queue: { account: order.account } }
      : {}),
  };
}
