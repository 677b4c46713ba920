import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadEnv } from '../shared/config/env';
import { MetricUnit, observability } from '../shared/observability';
import { compose, group } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { orderStore } from '../shared/runtime/orderStore';
import { sendcloudPorts } from '../shared/runtime/sendcloudClients';
import { trackingStore } from '../shared/runtime/trackingStore';
import { plausibilityWindows } from '../shared/tracking/plausibility';
import { pollStatuses } from '../shared/tracking/pollStatuses';

/** Scheduled: for accounts in POLL_ACCOUNTS (no webhooks), apply what changed since the last run. */
const services = compose(loadEnv(), {
  store: orderStore,
  tracking: trackingStore,
  events: eventPublisher,
  processDeps: group({ sendcloud: sendcloudPorts }),
});
const { logger, metrics } = observability('poll-parcel-statuses');
const accounts = [...services.env.POLL_ACCOUNTS];
const windows = plausibilityWindows();

async function poll() {
  const results: Record<string, unknown> = {};
  for (const account of accounts) {
    const client = await services.processDeps.sendcloud(account);
    const { counts, ignored } = await pollStatuses(account, {
      store: services.store,
      tracking: services.tracking,
      events: services.events,
      clock: () => new Date(),
      windows,
      client,
    });
    metrics.addMetric('ParcelStatusApplied', MetricUnit.Count, counts.applied);
    if (counts.account_mismatch > 0)
      metrics.addMetric('PolledAccountMismatch', MetricUnit.Count, counts.account_mismatch);
    if (counts.implausible > 0)
      metrics.addMetric('ParcelStatusImplausible', MetricUnit.Count, counts.implausible);
    for (const status of ignored)
      logger.warn('polled status kept off its parcel', {
        account,
        parcelId: status.parcelId,
        ...(status.outcome === 'account_mismatch'
          ? { owningAccount: status.owner }
          : { implausible: status.implausible }),
      });
    logger.info('polled', { account, ...counts });
    results[account] = counts;
  }
  return results;
}

export const handler = middy(poll).use(injectLambdaContext(logger)).use(logMetrics(metrics));
