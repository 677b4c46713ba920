import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambdaContext';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface QueueSubscription {
  readonly name: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  /** Lambda's event source mapping batch size. Default 10. */
  readonly batchSize?: number;
  /** Concurrent invocations (the mapping's maximum concurrency). Default 1. */
  readonly concurrency?: number;
  /** The function's timeout: the context's remaining time counts down from it. Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * Polls SQS the way Lambda's event source mapping does: receive up to `batchSize`, invoke the handler,
 * delete what succeeded. With `batchItemFailures` only those stay; when the handler throws the whole batch
 * stays. Messages left in the queue come back after their visibility timeout, and the queue's redrive
 * policy moves them to the DLQ after `maxReceiveCount` receives — all done by the queue itself.
 */
export class QueueRunner {
  readonly #sqs: SQSClient;
  readonly #subscriptions: readonly QueueSubscription[];
  readonly #region: string;
  #running = false;
  readonly #loops: Promise<void>[] = [];
  readonly #idle = new Map<string, boolean>();

  constructor(
    sqs: SQSClient,
    subscriptions: readonly QueueSubscription[],
    options: { readonly region: string },
  ) {
    this.#sqs = sqs;
    this.#subscriptions = subscriptions;
    this.#region = options.region;
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
    let failed: Set<string>;
    try {
      const result = await subscription.handler(
        { Records: records },
        lambdaContext(subscription.name, subscription.timeoutMs),
      );
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      console.error(
        `[queue ${subscription.name}] handler failed; the batch will be retried:`,
        error instanceof Error ? error.name : 'error',
      );
      failed = new Set(records.map((r) => r.messageId));
    }
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
