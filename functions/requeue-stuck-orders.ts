import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { resumeStuckBatches } from '../shared/batches/resumeStuckBatches';
import { loadEnv } from '../shared/config/env';
import { MetricUnit, observability } from '../shared/observability';
import { requeueStuckOrders } from '../shared/orders/requeueStuckOrders';
import { batchStore } from '../shared/runtime/batchStore';
import { compose } from '../shared/runtime/compose';
import { orderQueue } from '../shared/runtime/orderQueue';
import { orderStore } from '../shared/runtime/orderStore';

/**
 * Every 5 minutes: orders not final after REQUEUE_AFTER_SECONDS go back on the queue, and end-of-day batches
 * that have not moved for as long are set going again. The age of the oldest order and batch not final are
 * metrics, so an alarm can say when something stays stuck whatever the sweep does.
 */
const services = compose(loadEnv(), { store: orderStore, queue: orderQueue, batches: batchStore });
const { logger, metrics } = observability('requeue-stuck-orders');
const olderThanMs = services.env.REQUEUE_AFTER_SECONDS * 1000;
/** Past this, something not final is logged as an error as well: no order should take an hour. */
const STUCK_MS = 60 * 60_000;

async function requeue() {
  const clock = () => new Date();
  const orders = await requeueStuckOrders(
    { store: services.store, queue: services.queue, clock },
    { olderThanMs },
  );
  const batches = await resumeStuckBatches(
    { batches: services.batches, queue: services.queue, clock },
    { olderThanMs },
  );
  metrics.addMetric('OrdersRequeued', MetricUnit.Count, orders.requeued);
  metrics.addMetric('OldestUnfinishedOrderAge', MetricUnit.Seconds, Math.round(orders.oldestAgeMs / 1000));
  metrics.addMetric('BatchesResumed', MetricUnit.Count, batches.resumed);
  metrics.addMetric('OldestStuckBatchAge', MetricUnit.Seconds, Math.round(batches.oldestAgeMs / 1000));
  if (orders.requeued > 0) logger.warn('stuck orders requeued', { requeued: orders.requeued });
  if (batches.resumed > 0) logger.warn('stuck batches resumed', { resumed: batches.resumed });
  if (orders.oldestAgeMs > STUCK_MS || batches.oldestAgeMs > STUCK_MS)
    logger.error('orders or batches not final for over an hour', {
      oldestOrderAgeSeconds: Math.round(orders.oldestAgeMs / 1000),
      oldestBatchAgeSeconds: Math.round(batches.oldestAgeMs / 1000),
    });
  return { ...orders, batchesResumed: batches.resumed };
}

export const handler = middy(requeue).use(injectLambdaContext(logger)).use(logMetrics(metrics));
