import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadEnv } from '../shared/config/env';
import { functionLogger } from '../shared/observability';
import { dailyReport } from '../shared/reports/dailyReport';
import { compose } from '../shared/runtime/compose';
import { labelStore } from '../shared/runtime/labelStore';
import { orderStore } from '../shared/runtime/orderStore';
import { reportUpload } from '../shared/runtime/reportUpload';

/** Scheduled after midnight (UTC): yesterday's report for every account; `{"date": "YYYY-MM-DD"}` for another day. */
const services = compose(loadEnv(), { store: orderStore, labelStore, upload: reportUpload });
const logger = functionLogger('daily-report');

async function report(event: unknown) {
  const requested =
    typeof event === 'object' && event !== null && 'date' in event && typeof event.date === 'string'
      ? event.date
      : undefined;
  const date = requested ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const summaries = [];
  for (const account of services.env.ACCOUNTS) {
    const summary = await dailyReport(account, date, {
      store: services.store,
      files: services.labelStore,
      upload: services.upload,
      clock: () => new Date(),
    });
    logger.info('daily report written', { account, date, orders: summary.orders });
    summaries.push(summary);
  }
  return summaries;
}

export const handler = middy(report).use(injectLambdaContext(logger));
