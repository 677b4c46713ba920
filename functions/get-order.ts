import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { json, toHttpResponse } from '../shared/http';
import { functionLogger } from '../shared/observability';
import { findOrder } from '../shared/orders/findOrder';
import { parcelsOf } from '../shared/orders/Order';
import { orderView } from '../shared/orders/orderView';
import { compose } from '../shared/runtime/compose';
import { orderStore } from '../shared/runtime/orderStore';
import { trackingStore } from '../shared/runtime/trackingStore';

/** GET /orders/{orderId}[?channel=] — status, routing decision and why, parcels, label links. */
const services = compose(loadEnv(), { store: orderStore, tracking: trackingStore });
const logger = functionLogger('get-order');

async function getOrder(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const order = await findOrder(
      services.store,
      event.pathParameters?.orderId ?? '',
      event.queryStringParameters?.channel,
    );
    const histories = new Map(
      await Promise.all(
        parcelsOf(order).map(async (p) => [p.id, await services.tracking.history(p.id)] as const),
      ),
    );
    return json(200, orderView(order, histories));
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getOrder).use(injectLambdaContext(logger));
