import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import {
  checkoutResponse,
  getServicePoint,
  ServicePointQuery,
  searchServicePoints,
} from '../shared/checkout';
import { loadEnv } from '../shared/config';
import { corsHeaders, HttpError, json, queryOf } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { createServices } from '../shared/runtime/services';

/** GET /service-points?country=&postalCode=|latitude=&longitude= … and GET /service-points/{id} — for checkout pages. */
const services = createServices(loadEnv());
const { logger, metrics } = observability('service-points');

async function servicePoints(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const cors = corsHeaders(event, services.env.CHECKOUT_ORIGINS);
  return checkoutResponse(cors, context, logger, async () => {
    const query = queryOf(event);
    const account = query.account ?? 'default';
    await services.directory.credentials(account);
    const client = await services.sendcloudClients.forAccount(account, 'checkout');
    const id = event.pathParameters?.id;
    if (id !== undefined) {
      if (!/^\d+$/.test(id)) throw new HttpError(400, 'INVALID_ID', 'A service point id is a number.');
      const found = await getServicePoint(Number(id), { client, cache: services.checkoutCache, account });
      if (!found) throw new HttpError(404, 'SERVICE_POINT_NOT_FOUND', `Service point ${id} does not exist.`);
      if (found.stale) metrics.addMetric('CheckoutStaleAnswers', MetricUnit.Count, 1);
      return json(
        200,
        {
          servicePoint: found.view,
          stale: found.stale,
          fetchedAt: found.fetchedAt,
          ...(found.degradedReason ? { degradedReason: found.degradedReason } : {}),
        },
        cors,
      );
    }
    const answer = await searchServicePoints(ServicePointQuery.parse(query), {
      client,
      cache: services.checkoutCache,
    });
    if (answer.stale) metrics.addMetric('CheckoutStaleAnswers', MetricUnit.Count, 1);
    return json(200, answer, { ...cors, 'cache-control': 'public, max-age=60' });
  });
}

export const handler = middy(servicePoints).use(injectLambdaContext(logger)).use(logMetrics(metrics));
