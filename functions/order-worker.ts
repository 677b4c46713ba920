import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { assembleBatch, mergeBatch, settleInBatch } from '../shared/batches';
import { loadEnv } from '../shared/config';
import { errorFields, MetricUnit, observability } from '../shared/observability';
import { OrderMessage, type ProcessOutcome, processBatch, processOrder } from '../shared/orders';
import { createServices } from '../shared/runtime/services';

/**
 * The orders queue's consumer: one order, or a group from a batch, each taken to a stored label. A record
 * fails (and comes back after its visibility timeout) when an order is held by another worker or a
 * retryable error happened; after the queue's maxReceiveCount it lands in the DLQ without blocking others.
 */
const { logger, metrics } = observability('order-worker');
const services = createServices(loadEnv(), {
  onSendcloudAttempt: (attempt) => {
    if (attempt.status === 429) metrics.addMetric('SendcloudThrottled', MetricUnit.Count, 1);
  },
});
const processor = new BatchProcessor(EventType.SQS);
const mergeDeps = {
  store: services.store,
  batches: services.batches,
  labels: services.labelStore,
  events: services.events,
  sendcloud: services.processDeps.sendcloud,
  clock: () => new Date(),
  partSize: services.env.MERGE_PART_SIZE,
};
const sqs = new SQSClient({});
const retryBaseSeconds = services.env.RETRY_BASE_SECONDS;

export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError' as const;
  readonly code = 'RETRY_LATER' as const;
  readonly retryable = true;
}

async function handleRecord(record: SQSRecord): Promise<void> {
  try {
    await processRecord(record);
  } catch (error) {
    // Which message, which orders and why: the batch processor itself only reports FullBatchFailureError.
    logger.error('record failed', {
      messageId: record.messageId,
      ...messageKeys(record),
      error: errorFields(error),
    });
    await backOff(record);
    throw error;
  }
}

/** A failed record waits longer each time: base × 2^(receives − 1), at most 15 minutes. */
async function backOff(record: SQSRecord): Promise<void> {
  const receives = Number(record.attributes.ApproximateReceiveCount) || 1;
  const seconds = Math.min(900, retryBaseSeconds * 2 ** (receives - 1));
  await sqs
    .send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: services.env.ORDERS_QUEUE_URL,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    )
    .catch((error: unknown) =>
      logger.warn('could not delay the retry', { messageId: record.messageId, error: errorFields(error) }),
    );
}

/** The message's kind and order keys (ids only) for a log line; nothing if the body does not parse. */
function messageKeys(record: SQSRecord): Record<string, unknown> {
  const parsed = OrderMessage.safeParse(safeJson(record.body));
  if (!parsed.success) return { kind: 'unparseable' };
  const message = parsed.data;
  if (message.kind === 'order') return { kind: 'order', orders: [`${message.channel}/${message.orderId}`] };
  if (message.kind === 'batch')
    return {
      kind: 'batch',
      batchId: message.batchId,
      orders: message.orders.map((o) => `${o.channel}/${o.orderId}`),
    };
  return { kind: message.kind, batchId: message.batchId };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function processRecord(record: SQSRecord): Promise<void> {
  const message = OrderMessage.parse(JSON.parse(record.body));
  if (message.kind === 'start-batch') {
    const batch = await assembleBatch(message, {
      store: services.store,
      batches: services.batches,
      queue: services.queue,
      clock: () => new Date(),
    });
    logger.info('batch assembled', {
      batchId: message.batchId,
      status: batch?.status ?? 'missing',
      total: batch?.total ?? 0,
    });
    return;
  }
  if (message.kind === 'merge') {
    const batch = await mergeBatch(message.batchId, mergeDeps);
    logger.info('batch merged', { batchId: message.batchId, files: batch?.files?.length ?? 0 });
    return;
  }
  const keys = message.kind === 'order' ? [message] : message.orders;
  const outcomes: ProcessOutcome[] =
    message.kind === 'order'
      ? [await processOrder(message, services.processDeps)]
      : await processBatch(message.account, message.orders, services.processDeps);
  for (const outcome of outcomes) metrics.addMetric(`Orders_${outcome}`, MetricUnit.Count, 1);
  // End-of-day orders count towards their batch once they are settled (whatever message carried them).
  for (const [i, key] of keys.entries()) {
    const outcome = outcomes[i];
    if (outcome !== 'done' && outcome !== 'failed') continue;
    const batchId =
      message.kind === 'batch' && message.batchId
        ? message.batchId
        : (await services.store.get(key))?.batchId;
    if (!batchId) continue;
    const failure = outcome === 'failed' ? (await services.store.get(key))?.failure?.reason : undefined;
    await settleInBatch(
      batchId,
      key,
      { outcome, ...(failure ? { reason: failure } : {}) },
      { batches: services.batches, queue: services.queue },
    );
  }
  logger.info('processed', { messageId: record.messageId, kind: message.kind, outcomes });
  if (outcomes.includes('retry'))
    throw new RetryLaterError(
      'an order is held by another worker, waits for an unavailable method or for its customs document at SendCloud; retry later',
    );
}

async function orderWorker(event: SQSEvent, context: Context) {
  return processPartialResponse(event, handleRecord, processor, { context });
}

export const handler = middy(orderWorker).use(injectLambdaContext(logger)).use(logMetrics(metrics));
