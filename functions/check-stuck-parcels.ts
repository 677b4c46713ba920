import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadEnv } from '../shared/config/env';
import { MetricUnit, observability } from '../shared/observability';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { orderStore } from '../shared/runtime/orderStore';
import { trackingStore } from '../shared/runtime/trackingStore';
import { checkStuckParcels } from '../shared/tracking/checkStuckParcels';

/** Scheduled: parcels announced more than STUCK_AFTER_HOURS ago without a carrier scan. */
const services = compose(loadEnv(), { store: orderStore, tracking: trackingStore, events: eventPublisher });
const { logger, metrics } = observability('check-stuck-parcels');
const afterHours = services.env.STUCK_AFTER_HOURS;

async function check() {
  const result = await checkStuckParcels(
    { store: services.store, tracking: services.tracking, events: services.events, clock: () => new Date() },
    { afterHours },
  );
  metrics.addMetric('ParcelsStuck', MetricUnit.Count, result.stuck);
  if (result.stuck > 0) logger.warn('parcels without a carrier scan', { stuck: result.stuck, afterHours });
  return result;
}

export const handler = middy(check).use(injectLambdaContext(logger)).use(logMetrics(metrics));
