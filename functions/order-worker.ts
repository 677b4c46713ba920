import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { assembleBatch, groupSizeFor } from '../shared/batches/assembleBatch';
import type { SettledMember } from '../shared/batches/Batch';
import type { MergePartRef } from '../shared/batches/mergeBatch';
import { settleGroupInBatch } from '../shared/batches/settleInBatch';
import { refreshCatalog } from '../shared/catalog/refreshCatalog';
import { loadEnv } from '../shared/config/env';
import { errorFields, MetricUnit, observability } from '../shared/observability';
import {
  DEFERRED_AGE_METRIC,
  deferMessage,
  deferralsOf,
  firstQueuedAt,
  MAX_DEFERRALS,
} from '../shared/orders/deferMessage';
import { OrderMessage, readOrderMessage } from '../shared/orders/OrderQueue';
import { processBatch } from '../shared/orders/processBatch';
import { type ProcessOutcome, processOrder } from '../shared/orders/processOrder';
import { type GroupShare, type RealtimeGroupDeps, realtimeGroups } from '../shared/orders/realtimeGroups';
import { batchStore } from '../shared/runtime/batchStore';
import { catalogStore } from '../shared/runtime/catalogStore';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { labelStore } from '../shared/runtime/labelStore';
import { orderQueue } from '../shared/runtime/orderQueue';
import { orderStore } from '../shared/runtime/orderStore';
import { processDeps } from '../shared/runtime/processDeps';
import { rateGovernor } from '../shared/runtime/rateGovernor';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';
import { RateBudgetDeferredError } from '../shared/sendcloud/RateLimiter';

/**
 * The orders queue's consumer: one order, or a group from a batch, each taken to a stored label. A record
 * fails (and comes back after its visibility timeout) when an order is held by another worker or a
 * retryable error happened; after the queue's maxReceiveCount it lands in the DLQ without blocking others.
 */
const { logger, metrics } = observability('order-worker');
const services = compose(
  loadEnv(),
  {
    store: orderStore,
    batches: batchStore,
    labelStore,
    events: eventPublisher,
    queue: orderQueue,
    processDeps,
    governor: rateGovernor,
    catalog: catalogStore,
    clients: sendcloudClients,
  },
  {
    onSendcloudAttempt: (attempt) => {
      if (attempt.status === 429) metrics.addMetric('SendcloudThrottled', MetricUnit.Count, 1);
    },
    onMethodGone: (account) => requestCatalogRefresh(account),
  },
);
const processor = new BatchProcessor(EventType.SQS);
const mergeDeps = {
  store: services.store,
  batches: services.batches,
  labels: services.labelStore,
  events: services.events,
  sendcloud: services.processDeps.sendcloud,
  clock: () => new Date(),
  partSize: services.env.MERGE_PART_SIZE,
  zplAccounts: services.env.ZPL_ACCOUNTS,
  // A batch of several parts: each part a message of its own on the batch queue, made in parallel.
  queueParts: (parts: readonly MergePartRef[]) =>
    services.queue.send(parts.map((p) => ({ kind: 'merge-part' as const, ...p }))),
};
const sqs = new SQSClient({});
const retryBaseSeconds = services.env.RETRY_BASE_SECONDS;

/** At most one refresh a minute per account from refused announces: a batch may hit a vanished method often. */
const REFRESH_AFTER_REFUSAL_MS = 60_000;
const refreshRequested = new Map<string, number>();

/** An announce named a method the account no longer has: read its catalogue again (and say what changed). */
function requestCatalogRefresh(account: string): void {
  const now = Date.now();
  if (now - (refreshRequested.get(account) ?? 0) < REFRESH_AFTER_REFUSAL_MS) return;
  refreshRequested.set(account, now);
  services.queue.send([{ kind: 'catalog-refresh', account, trigger: 'announce' }]).catch((error: unknown) => {
    refreshRequested.delete(account);
    logger.warn('could not queue a catalogue refresh', { account, error: errorFields(error) });
  });
}

export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError' as const;
  readonly code = 'RETRY_LATER' as const;
  readonly retryable = true;
}

/** Real-time messages of one account received together, created (or deferred) as one group. */
type Groups = ReadonlyMap<string, GroupShare>;

const groupDeps: RealtimeGroupDeps = {
  accountOf: async (key) => (await services.store.get(key))?.account,
  groupSize: async (account) => groupSizeFor((await services.clients.port(account, 'realtime')).version),
  create: async (account, keys, first, holdBack) => {
    const outcomes = await processBatch(account, keys, depsFor(first, { holdBack }), 'realtime');
    metrics.addMetric('RealtimeOrdersGrouped', MetricUnit.Count, keys.length);
    return outcomes;
  },
  deferTogether: async (group) => {
    const delaySeconds = await deferMessage(sqs, {
      queueUrl: sourceQueueUrl(group.first),
      body: JSON.stringify(group.message),
      deferrals: group.deferrals,
      retryAfterMs: group.retryAfterMs,
      queuedAt: group.queuedAt,
    });
    reportDeferral(group.message.orders.length, group.queuedAt);
    logger.info('group deferred for the rate budget', {
      account: group.account,
      orders: group.message.orders.map((o) => `${o.channel}/${o.orderId}`),
      delaySeconds,
    });
  },
};

async function handleRecord(record: SQSRecord, groups: Groups): Promise<void> {
  try {
    await processRecord(record, groups);
  } catch (error) {
    // Waiting for the budget is not a failure: a delayed copy goes back, this receive is acknowledged.
    if (error instanceof RateBudgetDeferredError) return defer(record, error);
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

async function defer(record: SQSRecord, error: RateBudgetDeferredError): Promise<void> {
  const queuedAt = firstQueuedAt(record);
  const delaySeconds = await deferMessage(sqs, {
    queueUrl: sourceQueueUrl(record),
    body: record.body,
    deferrals: deferralsOf(record.messageAttributes),
    retryAfterMs: error.retryAfterMs,
    queuedAt,
  });
  reportDeferral(1, queuedAt);
  logger.info('deferred for the rate budget', {
    messageId: record.messageId,
    ...messageKeys(record),
    delaySeconds,
  });
}

function reportDeferral(orders: number, queuedAt: number | undefined): void {
  metrics.addMetric('OrdersDeferredForRateBudget', MetricUnit.Count, orders);
  // How long this work has waited since it was first queued: the queue's own age restarts with each copy.
  if (queuedAt !== undefined)
    metrics.addMetric(
      DEFERRED_AGE_METRIC,
      MetricUnit.Seconds,
      Math.max(0, Math.round((Date.now() - queuedAt) / 1000)),
    );
}

/**
 * The deps a record is processed with: the governor's admission (`admit`; `holdBack` for a small first-time
 * real-time group) unless the record was deferred MAX_DEFERRALS times already (then its worker waits for
 * tokens in its slot).
 */
function depsFor(record: SQSRecord, admission: { readonly holdBack?: boolean } = {}) {
  const governor = services.governor;
  if (!governor || deferralsOf(record.messageAttributes) >= MAX_DEFERRALS) return services.processDeps;
  return {
    ...services.processDeps,
    admit: (account: string, priority: 'realtime' | 'batch') => governor.admit(account, priority, admission),
  };
}

/**
 * The queue a record came from (the worker consumes both): a deferred copy or a longer visibility goes back
 * to it, so end-of-day work never lands among real-time orders.
 */
function sourceQueueUrl(record: SQSRecord): string {
  const batches = services.env.BATCH_QUEUE_URL;
  const name = record.eventSourceARN.split(':').at(-1);
  return batches && name === batches.split('/').at(-1) ? batches : (services.env.ORDERS_QUEUE_URL ?? '');
}

/** A failed record waits longer each time: base × 2^(receives − 1), at most 15 minutes. */
async function backOff(record: SQSRecord): Promise<void> {
  const receives = Number(record.attributes.ApproximateReceiveCount) || 1;
  const seconds = Math.min(900, retryBaseSeconds * 2 ** (receives - 1));
  await sqs
    .send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: sourceQueueUrl(record),
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
  const message = readOrderMessage(record.body);
  if (!message) return { kind: 'unparseable' };
  if (message.kind === 'order') return { kind: 'order', orders: [`${message.channel}/${message.orderId}`] };
  if (message.kind === 'batch')
    return {
      kind: 'batch',
      batchId: message.batchId,
      orders: message.orders.map((o) => `${o.channel}/${o.orderId}`),
    };
  if (message.kind === 'catalog-refresh') return { kind: message.kind, account: message.account };
  return { kind: message.kind, batchId: message.batchId };
}

async function processRecord(record: SQSRecord, groups: Groups): Promise<void> {
  const message = OrderMessage.parse(JSON.parse(record.body));
  if (message.kind === 'start-batch') {
    // Groups as large as the account's API creates in one write: 50 (v2 batch create), 100 (v3 Orders API).
    const { version } = await services.clients.port(message.account, 'batch');
    const batch = await assembleBatch(
      message,
      { store: services.store, batches: services.batches, queue: services.queue, clock: () => new Date() },
      { pageSize: groupSizeFor(version) },
    );
    logger.info('batch assembled', {
      batchId: message.batchId,
      status: batch?.status ?? 'missing',
      total: batch?.total ?? 0,
    });
    return;
  }
  if (message.kind === 'catalog-refresh') {
    const { account } = message;
    const result = await refreshCatalog(message, {
      store: services.catalog,
      port: () => services.clients.port(account, 'batch'),
      events: services.events,
      clock: () => new Date(),
      forget: () => services.clients.forgetCatalog(account),
    });
    metrics.addMetric('ShippingMethodsRemoved', MetricUnit.Count, result.removed);
    metrics.addMetric('ShippingMethodsAdded', MetricUnit.Count, result.added);
    logger.info('catalogue refreshed', { account, trigger: message.trigger, ...result });
    return;
  }
  if (message.kind === 'merge' || message.kind === 'merge-part') {
    const part = message.kind === 'merge-part' ? { split: message.split, part: message.part } : undefined;
    // The merge (pdf-lib) loads with the first merge message, not with every order's cold start.
    const { mergeBatch } = await import('../shared/batches/mergeBatch');
    const batch = await mergeBatch(message.batchId, mergeDeps, part);
    logger.info(part ? 'batch part merged' : 'batch merged', {
      batchId: message.batchId,
      ...part,
      status: batch?.status ?? 'missing',
      files: batch?.files?.length ?? 0,
    });
    return;
  }
  const keys = message.kind === 'order' ? [message] : message.orders;
  const grouped = await groups.get(record.messageId)?.(keys);
  if (grouped === 'deferred') return;
  const outcomes: readonly ProcessOutcome[] =
    grouped ??
    (message.kind === 'order'
      ? [await processOrder(message, depsFor(record))]
      : await processBatch(
          message.account,
          message.orders,
          depsFor(record),
          message.batchId ? 'batch' : 'realtime',
        ));
  for (const outcome of outcomes) metrics.addMetric(`Orders_${outcome}`, MetricUnit.Count, 1);
  // End-of-day orders count towards their batch once they are settled (whatever message carried them): the
  // orders of one batch in this message in one count (a crash before it is recounted by the stuck check).
  const settled = new Map<string, SettledMember[]>();
  const ownBatch = message.kind === 'batch' ? message.batchId : undefined;
  for (const [i, key] of keys.entries()) {
    const outcome = outcomes[i];
    if (outcome !== 'done' && outcome !== 'failed') continue;
    const stored = ownBatch && outcome === 'done' ? undefined : await services.store.get(key);
    const batchId = ownBatch ?? stored?.batchId;
    if (!batchId) continue;
    const reason = outcome === 'failed' ? stored?.failure?.reason : undefined;
    settled.set(batchId, [...(settled.get(batchId) ?? []), { key, outcome, ...(reason ? { reason } : {}) }]);
  }
  for (const [batchId, members] of settled)
    await settleGroupInBatch(batchId, members, { batches: services.batches, queue: services.queue });
  logger.info('processed', { messageId: record.messageId, kind: message.kind, outcomes });
  if (outcomes.includes('retry'))
    throw new RetryLaterError(
      'an order is held by another worker, waits for an unavailable method or for its customs document at SendCloud; retry later',
    );
}

async function orderWorker(event: SQSEvent, context: Context) {
  const groups = await realtimeGroups(event.Records, groupDeps);
  return processPartialResponse(event, (record: SQSRecord) => handleRecord(record, groups), processor, {
    context,
  });
}

export const handler = middy(orderWorker).use(injectLambdaContext(logger)).use(logMetrics(metrics));
