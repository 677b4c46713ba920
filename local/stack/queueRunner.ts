import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { type InvocationOptions, invoke, LambdaInvocationError } from './invoke';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface QueueSubscription {
  readonly name: string;
  /** The consuming function's name (IAM, logs); default the queue's name. */
  readonly functionName?: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  /** Lambda's event source mapping batch size. Default 10. */
  readonly batchSize?: number;
  /** Concurrent invocations (the mapping's maximum concurrency). Default 1. */
  readonly concurrency?: number;
  /** The function's timeout: past it the batch fails and comes back after its visibility timeout. Default 30 s. */
  readonly timeoutSeconds?: number;
  /** The same in milliseconds (the older field); `timeoutSeconds` wins when both are given. */
  readonly timeoutMs?: number;
  /** The function's configured memory, for the memory report. Default 256 MB. */
  readonly memoryMb?: number;
}

/**
 * What Lambda accepts as a partial batch response: nothing, or `batchItemFailures` whose every
 * `itemIdentifier` is a message id of the batch. Anything else fails the whole batch, as in AWS.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
const BatchResponse = z.union([
  z.null(),
  z.object({
    batchItemFailures: z.array(z.object({ itemIdentifier: z.string().min(1) })).nullish(),
  }),
]);

/**
 * Polls SQS the way Lambda's event source mapping does: receive up to `batchSize`, invoke the handler,
 * delete what succeeded. With `batchItemFailures` only those stay; when the invocation fails — the handler
 * throws, runs past its timeout, or breaks a Lambda limit — the whole batch stays. Messages left in the
 * queue come back after their visibility timeout, and the queue's redrive policy moves them to the DLQ after
 * `maxReceiveCount` receives — all done by the queue itself.
 */
export class QueueRunner {
  readonly #sqs: SQSClient;
  readonly #subscriptions: readonly QueueSubscription[];
  readonly #region: string;
  readonly #invocation: InvocationOptions;
  #running = false;
  readonly #loops: Promise<void>[] = [];
  readonly #idle = new Map<string, boolean>();

  constructor(
    sqs: SQSClient,
    subscriptions: readonly QueueSubscription[],
    options: { readonly region: string; readonly invocation?: InvocationOptions },
  ) {
    this.#sqs = sqs;
    this.#subscriptions = subscriptions;
    this.#region = options.region;
    this.#invocation = options.invocation ?? {};
  }

  start(): void {
    this.#running = true;
    for (const subscription of this.#subscriptions) {
      for (let i = 0; i < (subscription.concurrency ?? 1); i++) this.#loops.push(this.#loop(subscription));
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** The queues this runner polls. */
  get queueNames(): readonly string[] {
    return this.#subscriptions.map((s) => s.name);
  }

  /** True when every queue's last receive came back empty. */
  get idle(): boolean {
    return this.#subscriptions.every((s) => this.#idle.get(s.name) === true);
  }

  /** One receive-invoke-delete round for a subscription; returns how many messages it saw. */
  async pollOnce(subscription: QueueSubscription, waitSeconds = 0): Promise<number> {
    const received = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: subscription.queueUrl,
        MaxNumberOfMessages: Math.min(subscription.batchSize ?? 10, 10),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    this.#idle.set(subscription.name, messages.length === 0);
    if (messages.length === 0) return 0;
    const records: SQSRecord[] = messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: m.Attributes?.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp:
          m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([key, value]) => [
          key,
          {
            dataType: value.DataType ?? 'String',
            ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: subscription.queueArn,
      awsRegion: this.#region,
    }));
    const failed = await this.#invoke(subscription, records);
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) {
      await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: subscription.queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
    return messages.length;
  }

  /** Invokes the function on one batch; returns the message ids that stay in the queue. */
  async #invoke(subscription: QueueSubscription, records: readonly SQSRecord[]): Promise<Set<string>> {
    const all = new Set(records.map((r) => r.messageId));
    let result: unknown;
    try {
      result = await invoke(
        {
          name: subscription.functionName ?? subscription.name,
          handler: subscription.handler,
          ...timeoutOf(subscription),
          ...(subscription.memoryMb === undefined ? {} : { memoryMb: subscription.memoryMb }),
        },
        { Records: [...records] },
        this.#invocation,
      );
    } catch (error) {
      console.error(
        `[queue ${subscription.name}] invocation failed; the batch will be retried:`,
        error instanceof LambdaInvocationError ? `${error.code} ${error.message}` : 'error',
      );
      return all;
    }
    const response = BatchResponse.safeParse(result);
    const failures = response.success ? (response.data?.batchItemFailures ?? []) : undefined;
    if (!failures || failures.some((f) => !all.has(f.itemIdentifier))) {
      console.error(
        `[queue ${subscription.name}] invalid partial batch response; the whole batch will be retried`,
      );
      return all;
    }
    return new Set(failures.map((f) => f.itemIdentifier));
  }

  async #loop(subscription: QueueSubscription): Promise<void> {
    while (this.#running) {
      try {
        await this.pollOnce(subscription, 1);
      } catch (error) {
        console.error(
          `[queue ${subscription.name}] poll failed:`,
          error instanceof Error ? error.message : 'error',
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}

function timeoutOf(subscription: QueueSubscription): { timeoutSeconds?: number } {
  if (subscription.timeoutSeconds !== undefined) return { timeoutSeconds: subscription.timeoutSeconds };
  if (subscription.timeoutMs !== undefined) return { timeoutSeconds: subscription.timeoutMs / 1000 };
  return {};
}
