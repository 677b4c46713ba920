import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { errorLogFields, json, toHttpResponse } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { cancelOrder, cancelReturn } from '../shared/orders/cancelOrder';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { orderStore } from '../shared/runtime/orderStore';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';
import { trackingStore } from '../shared/runtime/trackingStore';

/**
 * POST /orders/{orderId}/cancel[?channel=] — cancels the order: here when it never reached SendCloud,
 * otherwise at SendCloud (200 cancelled, 202 requested, 409 CANCEL_TOO_LATE). Repeats send nothing.
 * POST /returns/{returnId}/cancel — the same for a return label.
 */
const services = compose(loadEnv(), {
  store: orderStore,
  tracking: trackingStore,
  events: eventPublisher,
  sendcloudClients,
});
const { logger, metrics } = observability('cancel-order');
const deps = {
  store: services.store,
  tracking: services.tracking,
  events: services.events,
  sendcloud: (account: string) => services.sendcloudClients.port(account, 'realtime'),
  clock: () => new Date(),
  lockMs: services.env.ORDER_LOCK_SECONDS * 1000,
};

async function cancel(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const returnId = event.pathParameters?.returnId;
    const { status, body } =
      returnId !== undefined
        ? await cancelReturn(returnId, deps)
        : await cancelOrder(event.pathParameters?.orderId ?? '', event.queryStringParameters?.channel, deps);
    if (body.changed) {
      metrics.addMetric('OrdersCancelled', MetricUnit.Count, 1);
      logger.info('order cancelled', {
        orderId: body.orderId,
        channel: body.channel,
        account: body.account,
        status: body.status,
        outcome: body.cancellation.outcome,
      });
    }
    return json(status, body);
  } catch (error) {
    logger.warn('order not cancelled', errorLogFields(error));
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(cancel).use(injectLambdaContext(logger)).use(logMetrics(metrics));
