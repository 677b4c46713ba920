import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { checkoutSourceFor } from '../shared/checkout/CheckoutSource';
import { checkServicePoint, problemsError } from '../shared/checkout/servicePointCheck';
import { loadEnv, shipsFromOf } from '../shared/config/env';
import { errorLogFields, json, jsonBody, scopedIdempotencyKey, toHttpResponse } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { type AcceptOutcome, acceptOrder, bodyHashOf } from '../shared/orders/acceptOrder';
import { customsProblems } from '../shared/orders/customsChecks';
import { OrderRequest } from '../shared/orders/OrderRequest';
import { rejectOrder } from '../shared/orders/rejectOrder';
import { accountDirectory } from '../shared/runtime/accountDirectory';
import { checkoutCache } from '../shared/runtime/checkoutCache';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { idempotencyStore } from '../shared/runtime/idempotencyStore';
import { orderQueue } from '../shared/runtime/orderQueue';
import { orderStore } from '../shared/runtime/orderStore';
import { rulesStore } from '../shared/runtime/rulesStore';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';

/** POST /orders — validate, store once, queue, answer 202. */
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
const { logger, metrics } = observability('create-order');
const shipsFrom = shipsFromOf(services.env);
const deps = {
  store: services.store,
  shipsFrom,
  queue: services.queue,
  events: services.events,
  clock: () => new Date(),
  onUnpublished: (error: unknown) => {
    logger.error('Order Rejected not published', errorLogFields(error));
    metrics.addMetric('EventsNotPublished', MetricUnit.Count, 1);
  },
};
const checkDeps = {
  client: (account: string) => checkoutSourceFor(services.sendcloudClients, account, 'realtime'),
  cache: services.checkoutCache,
  rules: (account: string) => services.rules.current(account),
};
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: 'key',
  payloadValidationJmesPath: 'hash',
  expiresAfterSeconds: 7 * 86_400,
});

const respond = (outcome: AcceptOutcome): APIGatewayProxyResultV2 =>
  outcome.outcome === 'accepted'
    ? json(202, outcome.body)
    : json(409, { code: 'ORDER_CONFLICT', message: outcome.message });

/** With an Idempotency-Key the answer is stored under that key: the same key with another body is a 409. */
const acceptWithKey = makeIdempotent(
  async (input: { key: string; hash: string; order: OrderRequest }) =>
    respond(await acceptOrder(input.order, deps)),
  {
    persistenceStore: services.idempotencyStore,
    config: idempotency,
  },
);

async function createOrder(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  idempotency.registerLambdaContext(context);
  try {
    const body = jsonBody(event);
    const parsed = OrderRequest.safeParse(body);
    if (!parsed.success) {
      await rejectOrder(body, parsed.error, deps);
      metrics.addMetric('OrdersRejected', MetricUnit.Count, 1);
      throw parsed.error;
    }
    const order = parsed.data;
    await services.directory.credentials(order.account);
    const problems = [
      ...customsProblems(order, shipsFrom(order.account)),
      ...(await checkServicePoint(order, checkDeps)),
    ];
    if (problems.length > 0) {
      const error = problemsError(problems);
      await rejectOrder(body, error, deps);
      metrics.addMetric('OrdersRejected', MetricUnit.Count, 1);
      throw error;
    }
    const key = scopedIdempotencyKey(event, order.account);
    const response = key
      ? await acceptWithKey({ key, hash: bodyHashOf(order), order })
      : respond(await acceptOrder(order, deps));
    metrics.addMetric('OrdersAccepted', MetricUnit.Count, 1);
    logger.info('order accepted', { orderId: order.orderId, channel: order.channel, account: order.account });
    return response;
  } catch (error) {
    logger.warn('order not accepted', errorLogFields(error));
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(createOrder).use(injectLambdaContext(logger)).use(logMetrics(metrics));
