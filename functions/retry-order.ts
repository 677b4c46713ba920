import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { errorLogFields, json, toHttpResponse } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { retryOrder } from '../shared/orders/acceptOrder';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { orderQueue } from '../shared/runtime/orderQueue';
import { orderStore } from '../shared/runtime/orderStore';

/**
 * POST /orders/{orderId}/retry[?channel=] — a failed order ships again with the content it was accepted
 * with, as its next generation (202, like an accepted order); 409 ORDER_NOT_FAILED otherwise.
 */
const services = compose(loadEnv(), { store: orderStore, queue: orderQueue, events: eventPublisher });
const { logger, metrics } = observability('retry-order');
const deps = {
  store: services.store,
  queue: services.queue,
  events: services.events,
  clock: () => new Date(),
};

async function retry(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const body = await retryOrder(
      event.pathParameters?.orderId ?? '',
      event.queryStringParameters?.channel,
      deps,
    );
    metrics.addMetric('OrdersRetried', MetricUnit.Count, 1);
    logger.info('order retried', { orderId: body.orderId, channel: body.channel, account: body.account });
    return json(202, body);
  } catch (error) {
    logger.warn('order not retried', errorLogFields(error));
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(retry).use(injectLambdaContext(logger)).use(logMetrics(metrics));
