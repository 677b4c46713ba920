import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';

/** What travels on the orders queue: keys only, never personal data. */
export const OrderMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('order'), channel: z.string(), orderId: z.string() }),
  z.object({
    kind: z.literal('batch'),
    account: z.string(),
    /** Set for end-of-day batches: outcomes are counted there and the last one triggers the merge. */
    batchId: z.string().optional(),
    orders: z
      .array(z.object({ channel: z.string(), orderId: z.string() }))
      .min(1)
      .max(50),
  }),
  z.object({ kind: z.literal('merge'), batchId: z.string() }),
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
    channels: z.array(z.string()).optional(),
    acceptedBefore: z.iso.datetime(),
    limit: z.number().int().positive(),
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

export interface OrderQueue {
  send(messages: readonly OrderMessage[]): Promise<void>;
}

export class QueueSendError extends Error {
  override readonly name = 'QueueSendError' as const;
  readonly code = 'QUEUE_SEND_FAILED' as const;
  readonly retryable = true;
}

export class SqsOrderQueue implements OrderQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, options: { readonly queueUrl: string }) {
    this.#sqs = sqs;
    this.#queueUrl = options.queueUrl;
  }

  async send(messages: readonly OrderMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const result = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
        }),
      );
      if ((result.Failed ?? []).length > 0)
        throw new QueueSendError(`${result.Failed?.length} message(s) were not queued`);
    }
  }
}
