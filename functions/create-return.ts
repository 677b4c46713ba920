import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { errorLogFields, json, jsonBody, scopedIdempotencyKey, toHttpResponse } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { canonicalJson, sha256 } from '../shared/orders/canonical';
import { createReturn } from '../shared/returns/createReturn';
import { ReturnRequest } from '../shared/returns/ReturnRequest';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { idempotencyStore } from '../shared/runtime/idempotencyStore';
import { labelBucket, labelStore } from '../shared/runtime/labelStore';
import { orderStore } from '../shared/runtime/orderStore';
import { rulesStore } from '../shared/runtime/rulesStore';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';
import { trackingStore } from '../shared/runtime/trackingStore';

/** POST /returns — a return label for a shipped order (or parcel), stored in S3; idempotent like orders. */
const services = compose(loadEnv(), {
  store: orderStore,
  tracking: trackingStore,
  rules: rulesStore,
  events: eventPublisher,
  labelStore,
  labelBucket,
  sendcloudClients,
  idempotencyStore,
});
const { logger, metrics } = observability('create-return');
const deps = {
  store: services.store,
  tracking: services.tracking,
  rules: services.rules,
  events: services.events,
  labels: services.labelStore,
  labelBucket: services.labelBucket,
  sendcloud: (account: string) => services.sendcloudClients.port(account, 'realtime'),
  clock: () => new Date(),
};
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'key',
  payloadValidationJmesPath: 'hash',
  expiresAfterSeconds: 7 * 86_400,
});

const create = async (account: string | undefined, request: ReturnRequest) => {
  const { view, created } = await createReturn(account, request, deps);
  return json(created ? 201 : 200, view);
};
const createWithKey = makeIdempotent(
  (input: { key: string; hash: string; account: string | undefined; request: ReturnRequest }) =>
    create(input.account, input.request),
  { persistenceStore: services.idempotencyStore, config: idempotency },
);

async function createReturnHandler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  idempotency.registerLambdaContext(context);
  try {
    const request = ReturnRequest.parse(jsonBody(event));
    const account = event.queryStringParameters?.account;
    // Without `?account=` the order's account applies: keys are then scoped to "any account" of the caller.
    const key = scopedIdempotencyKey(event, account ?? '*');
    const response = key
      ? await createWithKey({ key, hash: sha256(canonicalJson(request)), account, request })
      : await create(account, request);
    metrics.addMetric('ReturnsCreated', MetricUnit.Count, 1);
    return response;
  } catch (error) {
    logger.warn('return not created', errorLogFields(error));
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(createReturnHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
