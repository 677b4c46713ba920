import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
// Not the batches index: merging (pdf-lib) stays out of this bundle.
import { StartBatchRequest } from '../shared/batches/Batch';
import { batchView } from '../shared/batches/batchView';
import { startBatch } from '../shared/batches/startBatch';
import { loadEnv } from '../shared/config/env';
import { functionLogger } from '../shared/observability';
import { batchStore } from '../shared/runtime/batchStore';
import { compose } from '../shared/runtime/compose';
import { orderQueue } from '../shared/runtime/orderQueue';

/**
 * Scheduled at each account's cut-off (EventBridge Scheduler passes `{"account", "splitBy"}`). The same start
 * as POST /batches: the batch is queued `starting` and the orders worker takes its orders.
 */
const services = compose(loadEnv(), { batches: batchStore, queue: orderQueue });
const logger = functionLogger('end-of-day');

async function endOfDay(event: unknown) {
  const request = StartBatchRequest.parse(
    typeof event === 'object' && event !== null && 'account' in event ? event : {},
  );
  services.requireAccount(request.account);
  const batch = await startBatch(request, {
    batches: services.batches,
    queue: services.queue,
    clock: () => new Date(),
  });
  logger.info('end-of-day batch started', { batchId: batch.batchId, account: batch.account });
  return batchView(batch);
}

export const handler = middy(endOfDay).use(injectLambdaContext(logger));
