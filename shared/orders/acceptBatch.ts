import * as z from 'zod';
import type { CredentialsSource } from '../sendcloud';
import { UnknownAccountError } from '../sendcloud';
import { type AcceptDeps, acceptOrder } from './acceptOrder';
import type { OrderMessage } from './OrderQueue';
import { fieldProblems, OrderRequest } from './OrderRequest';
import { rejectOrder } from './rejectOrder';

export const MAX_BATCH_ORDERS = 500;
const GROUP = 50;

export const BatchRequest = z.object({
  orders: z
    .array(z.unknown())
    .min(1, 'at least one order')
    .max(MAX_BATCH_ORDERS, `at most ${MAX_BATCH_ORDERS} orders per batch`),
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
    };

/** Accepts every valid order of a batch (each once, as `POST /orders` would) and queues them in groups. */
export async function acceptBatch(
  body: BatchRequest,
  deps: AcceptDeps & {
    readonly directory: CredentialsSource;
    /** Checks beyond the schema (a service point exists and fits): problems make the order a 400. */
    readonly check?: (order: OrderRequest) => Promise<ReadonlyArray<{ path: string; message: string }>>;
  },
) {
  const results: BatchItemAnswer[] = [];
  const toQueue = new Map<string, Array<{ channel: string; orderId: string }>>();
  for (const [index, raw] of body.orders.entries()) {
    const parsed = OrderRequest.safeParse(raw);
    const orderId =
      typeof raw === 'object' && raw !== null && typeof (raw as Record<string, unknown>).orderId === 'string'
        ? String((raw as Record<string, unknown>).orderId)
        : null;
    if (!parsed.success) {
      await rejectOrder(raw, parsed.error, deps);
      results.push({
        index,
        status: 400,
        orderId,
        message: 'invalid order',
        errors: fieldProblems(parsed.error),
      });
      continue;
    }
    const order = parsed.data;
    try {
      await deps.directory.credentials(order.account);
    } catch (error) {
      if (!(error instanceof UnknownAccountError)) throw error;
      results.push({ index, status: 400, orderId, message: error.message });
      continue;
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
      results.push({ index, status: 400, orderId, message: 'invalid order', errors: fieldProblems(error) });
      continue;
    }
    const outcome = await acceptOrder(order, deps, { deferQueueing: true });
    if (outcome.outcome === 'conflict') {
      results.push({ index, status: 409, orderId, message: outcome.message });
      continue;
    }
    results.push({
      index,
      status: 202,
      orderId: order.orderId,
      channel: order.channel,
      duplicate: !outcome.created,
      links: outcome.body.links,
    });
    const stored = await deps.store.get(order);
    if (stored && !stored.enqueuedAt && stored.status !== 'ready') {
      const group = toQueue.get(order.account) ?? [];
      if (!group.some((o) => o.channel === order.channel && o.orderId === order.orderId))
        group.push({ channel: order.channel, orderId: order.orderId });
      toQueue.set(order.account, group);
    }
  }
  const messages: OrderMessage[] = [];
  for (const [account, orders] of toQueue) {
    for (let i = 0; i < orders.length; i += GROUP)
      messages.push({ kind: 'batch', account, orders: orders.slice(i, i + GROUP) });
  }
  await deps.queue.send(messages);
  const now = deps.clock().toISOString();
  for (const message of messages)
    if (message.kind === 'batch')
      for (const key of message.orders) await deps.store.update(key, { enqueuedAt: now });
  const accepted = results.filter((r) => r.status === 202).length;
  return { accepted, rejected: results.length - accepted, results };
}
