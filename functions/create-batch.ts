import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
// Not the batches index: merging (pdf-lib) stays out of this bundle.
import { StartBatchRequest } from '../shared/batches/Batch';
import { batchView } from '../shared/batches/batchView';
import { startBatch } from '../shared/batches/startBatch';
import { loadEnv } from '../shared/config/env';
import { json, jsonBody, toHttpResponse } from '../shared/http';
import { functionLogger } from '../shared/observability';
import { batchStore } from '../shared/runtime/batchStore';
import { compose } from '../shared/runtime/compose';
import { orderQueue } from '../shared/runtime/orderQueue';

/**
 * POST /batches — start an end-of-day run now for an account's ready orders. Answers 202 at once with the
 * batch `starting`; the orders worker takes the orders and the batch runs (follow `links.self`).
 */
const services = compose(loadEnv(), { batches: batchStore, queue: orderQueue });
const logger = functionLogger('create-batch');

async function createBatch(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const request = StartBatchRequest.parse(event.body ? jsonBody(event) : {});
    services.requireAccount(request.account);
    const batch = await startBatch(request, {
      batches: services.batches,
      queue: services.queue,
      clock: () => new Date(),
    });
    logger.info('batch started', { batchId: batch.batchId, account: batch.account });
    const view = batchView(batch);
    return json(202, view, { location: view.links.self });
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(createBatch).use(injectLambdaContext(logger));
