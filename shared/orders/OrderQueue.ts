import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from '../validation/zod';

/** What travels on the orders queue: keys only, never personal data. */
export const OrderMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('order'), channel: z.string(), orderId: z.string() }),
  z.object({
    kind: z.literal('batch'),
    account: z.string(),
    /** Set for end-of-day batches: outcomes are counted there and the last one triggers the merge. */
    batchId: z.optional(z.string()),
    orders: z
      .array(z.object({ channel: z.string(), orderId: z.string() }))
      .check(z.minLength(1), z.maxLength(100)),
  }),
  z.object({ kind: z.literal('merge'), batchId: z.string() }),
  /** One part of a batch's files, made as a work item of its own (`mergeBatch(batchId, deps, part)`). */
  z.object({
    kind: z.literal('merge-part'),
    batchId: z.string(),
    split: z.string(),
    part: z.number().check(z.int(), z.positive()),
  }),
  /**
   * Assemble an end-of-day batch: take its ready orders page by page and queue them. Carries what the batch
   * record is made from, so the worker can write that record if the caller crashed after queueing this.
   * Redelivered or repeated (a continuation), it resumes where the last one stopped.
   */
  z.object({
    kind: z.literal('start-batch'),
    batchId: z.string(),
    account: z.string(),
    // The values of batches' SplitBy (this folder does not import batches).
    splitBy: z.enum(['none', 'carrier', 'packingStation']),
    channels: z.optional(z.array(z.string())),
    acceptedBefore: z.iso.datetime(),
    limit: z.number().check(z.int(), z.positive()),
    createdAt: z.iso.datetime(),
  }),
  /**
   * Read the account's SendCloud catalogue again and publish what changed (`shared/catalog`): sent by the
   * webhook for integration_* deliveries, by the schedule for every account, and after a refused announce.
   */
  z.object({
    kind: z.literal('catalog-refresh'),
    account: z.string(),
    // The values of catalog's CatalogTrigger (this folder does not import catalog).
    trigger: z.enum(['webhook', 'schedule', 'announce']),
  }),
]);
export type OrderMessage = z.infer<typeof OrderMessage>;

/** A received body as an OrderMessage; undefined when it is not JSON or not a message this queue carries. */
export function readOrderMessage(body: string): OrderMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = OrderMessage.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export interface OrderQueue {
  send(messages: readonly OrderMessage[]): Promise<void>;
}

export class QueueSendError extends Error {
  override readonly name = 'QueueSendError' as const;
  readonly code = 'QUEUE_SEND_FAILED' as const;
  readonly retryable = true;
}

/**
 * Which queue a message travels on. End-of-day work — its groups, their merge, the batch's assembly — goes on
 * the batch queue, whose consumers have slots of their own: an account's end of day never keeps another
 * account's real-time orders (single, API batches, retries, catalogue refreshes) waiting for a worker.
 */
export const queueOf = (message: OrderMessage): 'orders' | 'batches' =>
  message.kind === 'merge' ||
  message.kind === 'merge-part' ||
  message.kind === 'start-batch' ||
  (message.kind === 'batch' && message.batchId !== undefined)
    ? 'batches'
    : 'orders';

type QueueUrl = string | (() => string);

export class SqsOrderQueue implements OrderQueue {
  readonly #sqs: SQSClient;
  readonly #urls: Readonly<Record<'orders' | 'batches', QueueUrl>>;

  /**
   * `batchQueueUrl` absent: everything on `queueUrl`. A function (the runtime's binding) is resolved on the
   * first send to that queue, so a function bound to one queue fails only if it sends to the other.
   */
  constructor(sqs: SQSClient, options: { readonly queueUrl: QueueUrl; readonly batchQueueUrl?: QueueUrl }) {
    this.#sqs = sqs;
    this.#urls = { orders: options.queueUrl, batches: options.batchQueueUrl ?? options.queueUrl };
  }

  async send(messages: readonly OrderMessage[]): Promise<void> {
    for (const queue of ['orders', 'batches'] as const) {
      const mine = messages.filter((m) => queueOf(m) === queue);
      if (mine.length === 0) continue;
      const url = this.#urls[queue];
      const queueUrl = typeof url === 'string' ? url : url();
      for (let i = 0; i < mine.length; i += 10) {
        const chunk = mine.slice(i, i + 10);
        const result = await this.#sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
          }),
        );
        if ((result.Failed ?? []).length > 0)
          throw new QueueSendError(`${result.Failed?.length} message(s) were not queued`);
      }
    }
  }
}
