import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadEnv } from '../shared/config';
import { MetricUnit, observability } from '../shared/observability';
import { createServices } from '../shared/runtime/services';
import { pollStatuses } from '../shared/tracking';

/** Scheduled: for accounts in POLL_ACCOUNTS (no webhooks), apply what changed since the last run. */
const services = createServices(loadEnv());
const { logger, metrics } = observability('poll-parcel-statuses');
const accounts = [...services.env.POLL_ACCOUNTS];

async function poll() {
  const results: Record<string, unknown> = {};
  for (const account of accounts) {
    const client = await services.processDeps.sendcloud(account);
    const counts = await pollStatuses(account, {
      store: services.store,
      tracking: services.tracking,
      events: services.events,
      clock: () => new Date(),
      client,
    });
    metrics.addMetric('ParcelStatusApplied', MetricUnit.Count, counts.applied);
    logger.info('polled', { account, ...counts });
    results[account] = counts;
  }
  return results;
}

export const handler = middy(poll).use(injectLambdaContext(logger)).use(logMetrics(metrics));
