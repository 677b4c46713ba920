import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadEnv } from '../shared/config';
import { MetricUnit, observability } from '../shared/observability';
import { requeueStuckOrders } from '../shared/orders';
import { createServices } from '../shared/runtime/services';

/** Every 5 minutes: orders pending for more than 10 minutes go back on the queue. */
const services = createServices(loadEnv());
const { logger, metrics } = observability('requeue-stuck-orders');
const olderThanMs = services.env.REQUEUE_AFTER_SECONDS * 1000;

async function requeue() {
  const result = await requeueStuckOrders(
    { store: services.store, queue: services.queue, clock: () => new Date() },
    { olderThanMs },
  );
  metrics.addMetric('OrdersRequeued', MetricUnit.Count, result.requeued);
  if (result.requeued > 0) logger.warn('stuck orders requeued', { requeued: result.requeued });
  return result;
}

export const handler = middy(requeue).use(injectLambdaContext(logger)).use(logMetrics(metrics));
