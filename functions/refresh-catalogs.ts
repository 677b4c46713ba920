import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadEnv } from '../shared/config/env';
import { MetricUnit, observability } from '../shared/observability';
import { compose } from '../shared/runtime/compose';
import { orderQueue } from '../shared/runtime/orderQueue';

/**
 * Every `catalogRefreshMinutes` (stage configuration, default hourly): one `catalog-refresh` message per
 * account on the orders queue. The worker reads each account's SendCloud catalogue under its rate budget and
 * publishes what changed; this function only queues, so it needs neither SendCloud's keys nor its budget.
 */
const services = compose(loadEnv(), { queue: orderQueue });
const { logger, metrics } = observability('refresh-catalogs');

async function refreshCatalogs() {
  const accounts = [...services.env.ACCOUNTS];
  await services.queue.send(
    accounts.map((account) => ({ kind: 'catalog-refresh', account, trigger: 'schedule' })),
  );
  metrics.addMetric('CatalogRefreshesQueued', MetricUnit.Count, accounts.length);
  logger.info('catalogue refreshes queued', { accounts: accounts.length });
  return { queued: accounts.length };
}

export const handler = middy(refreshCatalogs).use(injectLambdaContext(logger)).use(logMetrics(metrics));
