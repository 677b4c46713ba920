import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { json, queryOf, toHttpResponse } from '../shared/http';
import { functionLogger } from '../shared/observability';
import { ListOrdersQuery, listOrders } from '../shared/orders/listOrders';
import { compose } from '../shared/runtime/compose';
import { orderStore } from '../shared/runtime/orderStore';

/**
 * GET /orders?account=&from=&to=&status=&channel=&limit=&cursor= — an account's orders for operations
 * (e.g. `status=failed`), newest first, paginated, without personal data.
 */
const services = compose(loadEnv(), { store: orderStore });
const logger = functionLogger('list-orders');

async function list(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  try {
    const query = ListOrdersQuery.parse(queryOf(event));
    return json(200, await listOrders(query, { store: services.store, clock: () => new Date() }));
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(list).use(injectLambdaContext(logger));
