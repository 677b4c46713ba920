import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config';
import { json, jsonBody, toHttpResponse } from '../shared/http';
import { observability } from '../shared/observability';
import { type OrderRecord, OrderRequest, orderSpecOf, routingInputs } from '../shared/orders';
import { route } from '../shared/routing';
import { createServices } from '../shared/runtime/services';

/** POST /routing/explain — the decision for an order, with its trace, creating nothing. */
const services = createServices(loadEnv());
const { logger } = observability('explain-routing');

async function explainRouting(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const order = OrderRequest.parse(jsonBody(event));
    const client = await services.processDeps.sendcloud(order.account);
    const draft: OrderRecord = {
      channel: order.channel,
      orderId: order.orderId,
      account: order.account,
      status: 'accepted',
      bodyHash: '',
      spec: orderSpecOf(order),
      attempt: 0,
      createdAt: '',
      updatedAt: '',
    };
    const inputs = await routingInputs(draft, services.processDeps, client);
    if ('failure' in inputs) return json(200, { choice: null, reason: inputs.failure });
    return json(
      200,
      route(inputs.routingOrder, {
        methods: inputs.methods,
        unavailable: inputs.unavailable,
        rules: inputs.rules,
      }),
    );
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(explainRouting).use(injectLambdaContext(logger));
