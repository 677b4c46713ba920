import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { checkServicePoint } from '../shared/checkout';
import { loadEnv } from '../shared/config';
import { header, json, jsonBody, toHttpResponse } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { acceptBatch, BatchRequest, canonicalJson, type OrderRequest, sha256 } from '../shared/orders';
import { createServices } from '../shared/runtime/services';

/** POST /orders/batch — up to 500 orders, answered per order; accepted ones go out in groups of 50. */
const services = createServices(loadEnv());
const { logger, metrics } = observability('create-order-batch');
const deps = {
  store: services.store,
  queue: services.queue,
  events: services.events,
  clock: () => new Date(),
  directory: services.directory,
  check: (order: OrderRequest) =>
    checkServicePoint(order, {
      client: (account) => services.sendcloudClients.forAccount(account, 'realtime'),
      cache: services.checkoutCache,
      rules: (account) => services.processDeps.rules.current(account),
    }),
};
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'key',
  payloadValidationJmesPath: 'hash',
  expiresAfterSeconds: 7 * 86_400,
});

const acceptWithKey = makeIdempotent(
  async (input: { key: string; hash: string; body: BatchRequest }) =>
    respond(await acceptBatch(input.body, deps)),
  {
    persistenceStore: services.idempotencyStore,
    config: idempotency,
  },
);

function respond(result: Awaited<ReturnType<typeof acceptBatch>>): APIGatewayProxyResultV2 {
  return json(result.rejected === 0 ? 202 : 207, result);
}

async function createOrderBatch(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  idempotency.registerLambdaContext(context);
  try {
    const body = BatchRequest.parse(jsonBody(event));
    const key = header(event, 'idempotency-key');
    const response = key
      ? await acceptWithKey({ key, hash: sha256(canonicalJson(body)), body })
      : respond(await acceptBatch(body, deps));
    metrics.addMetric('OrderBatches', MetricUnit.Count, 1);
    return response;
  } catch (error) {
    logger.warn('batch not accepted', { error: error instanceof Error ? error.name : 'error' });
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(createOrderBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
