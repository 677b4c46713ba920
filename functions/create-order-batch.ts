import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { checkoutSourceFor } from '../shared/checkout/CheckoutSource';
import { checkServicePoint } from '../shared/checkout/servicePointCheck';
import { loadEnv, shipsFromOf } from '../shared/config/env';
import { errorLogFields, json, jsonBody, scopedIdempotencyKey, toHttpResponse } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { acceptBatch, type BatchAnswer, BatchRequest } from '../shared/orders/acceptBatch';
import { canonicalJson, sha256 } from '../shared/orders/canonical';
import { customsProblems } from '../shared/orders/customsChecks';
import type { OrderRequest } from '../shared/orders/OrderRequest';
import { accountDirectory } from '../shared/runtime/accountDirectory';
import { checkoutCache } from '../shared/runtime/checkoutCache';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { idempotencyStore } from '../shared/runtime/idempotencyStore';
import { orderQueue } from '../shared/runtime/orderQueue';
import { orderStore } from '../shared/runtime/orderStore';
import { rulesStore } from '../shared/runtime/rulesStore';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';

/**
 * POST /orders/batch — up to 500 orders, answered per order; accepted ones go out in groups of 50. Orders are
 * accepted a few at a time until the Lambda's deadline draws near; the rest are answered NOT_PROCESSED.
 */
const services = compose(loadEnv(), {
  store: orderStore,
  queue: orderQueue,
  events: eventPublisher,
  directory: accountDirectory,
  sendcloudClients,
  checkoutCache,
  rules: rulesStore,
  idempotencyStore,
});
const { logger, metrics } = observability('create-order-batch');
const shipsFrom = shipsFromOf(services.env);
const deps = {
  shipsFrom,
  store: services.store,
  queue: services.queue,
  events: services.events,
  clock: () => new Date(),
  directory: services.directory,
  onUnpublished: (error: unknown) => logger.error('Order Rejected not published', errorLogFields(error)),
  check: async (order: OrderRequest) => [
    ...customsProblems(order, shipsFrom(order.account)),
    ...(await checkServicePoint(order, {
      client: (account) => checkoutSourceFor(services.sendcloudClients, account, 'realtime'),
      cache: services.checkoutCache,
      rules: (account) => services.rules.current(account),
    })),
  ],
};
const onError = (error: unknown) => logger.warn('order not processed', errorLogFields(error));
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'key',
  payloadValidationJmesPath: 'hash',
  expiresAfterSeconds: 7 * 86_400,
});

/** Thrown inside the idempotent call so a partial answer is not kept as the key's answer. */
class AnswerNotFinalError extends Error {
  override readonly name = 'AnswerNotFinalError' as const;
  readonly code = 'ANSWER_NOT_FINAL' as const;
  readonly retryable = true;
}

interface Run {
  readonly remainingMs: () => number;
  /** Set when some orders were not processed: answered, but not stored under the key. */
  partial?: BatchAnswer;
}

const acceptWithKey = makeIdempotent(
  async (input: { key: string; hash: string; body: BatchRequest }, run: Run) => {
    const answer = await acceptBatch(input.body, deps, { remainingMs: run.remainingMs, onError });
    if (answer.notProcessed > 0) {
      run.partial = answer;
      // Powertools deletes the key's record on an error: a repeat with the same key runs again, and the
      // orders accepted now come back as duplicates.
      throw new AnswerNotFinalError(`${answer.notProcessed} order(s) not processed`);
    }
    return respond(answer);
  },
  { persistenceStore: services.idempotencyStore, config: idempotency },
);

function respond(result: BatchAnswer): APIGatewayProxyResultV2 {
  if (result.notProcessed > 0) metrics.addMetric('OrdersNotProcessed', MetricUnit.Count, result.notProcessed);
  return json(result.rejected === 0 && result.notProcessed === 0 ? 202 : 207, result);
}

async function createOrderBatch(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  idempotency.registerLambdaContext(context);
  try {
    const body = BatchRequest.parse(jsonBody(event));
    // A batch spans accounts: its key is scoped to the caller.
    const key = scopedIdempotencyKey(event, '*');
    const remainingMs = () => context.getRemainingTimeInMillis();
    let response: APIGatewayProxyResultV2;
    if (key) {
      const run: Run = { remainingMs };
      try {
        response = await acceptWithKey({ key, hash: sha256(canonicalJson(body)), body }, run);
      } catch (error) {
        if (!(error instanceof AnswerNotFinalError) || !run.partial) throw error;
        response = respond(run.partial);
      }
    } else {
      response = respond(await acceptBatch(body, deps, { remainingMs, onError }));
    }
    metrics.addMetric('OrderBatches', MetricUnit.Count, 1);
    return response;
  } catch (error) {
    logger.warn('batch not accepted', errorLogFields(error));
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(createOrderBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
