import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config';
import { json, toHttpResponse } from '../shared/http';
import { observability } from '../shared/observability';
import { findOrder, orderView } from '../shared/orders';
import { createServices } from '../shared/runtime/services';

/** GET /orders/{orderId}[?channel=] — status, routing decision and why, parcels, label links. */
const services = createServices(loadEnv());
const { logger } = observability('get-order');

async function getOrder(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const order = await findOrder(
      services.store,
      event.pathParameters?.orderId ?? '',
      event.queryStringParameters?.channel,
    );
    const history = order.parcel ? await services.tracking.history(order.parcel.id) : [];
    return json(200, orderView(order, history));
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getOrder).use(injectLambdaContext(logger));
