import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { checkoutCacheControl, checkoutResponse } from '../shared/checkout/checkoutResponse';
import { createPublicCheckout } from '../shared/checkout/createPublicCheckout';
import { AccountParam } from '../shared/checkout/params';
import { getServicePoint, ServicePointQuery, searchServicePoints } from '../shared/checkout/servicePoints';
import { loadEnv } from '../shared/config/env';
import { corsHeaders, HttpError, header, json, queryOf } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { accountDirectory } from '../shared/runtime/accountDirectory';
import { checkoutCache } from '../shared/runtime/checkoutCache';
import { compose } from '../shared/runtime/compose';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';
import * as z from '../shared/validation/zod';

/** GET /service-points?country=&postalCode=|latitude=&longitude= … and GET /service-points/{id} — for checkout pages. */
const services = compose(loadEnv(), { checkoutCache, sendcloudClients, directory: accountDirectory });
const { logger, metrics } = observability('service-points');
const checkout = createPublicCheckout(services, {
  db: () => DynamoDBDocumentClient.from(new DynamoDBClient({})),
  onUnconfigured: (account) => logger.error('account has no SendCloud keys in the credentials', { account }),
});
const PointQuery = z.object({ account: AccountParam });

async function servicePoints(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const cors = corsHeaders(event, services.env.CHECKOUT_ORIGINS);
  return checkoutResponse(cors, context, logger, async () => {
    const id = event.pathParameters?.id;
    return id === undefined ? search(event, cors) : one(id, event, cors);
  });
}

async function search(event: APIGatewayProxyEventV2, cors: Record<string, string>) {
  const query = ServicePointQuery.parse(queryOf(event));
  const answer = await searchServicePoints(query, await accessFor(event, query.account));
  count(answer);
  return json(200, answer, { ...cors, ...checkoutCacheControl(answer) });
}

async function one(id: string, event: APIGatewayProxyEventV2, cors: Record<string, string>) {
  if (!/^\d+$/.test(id)) throw new HttpError(400, 'INVALID_ID', 'A service point id is a number.');
  const { account } = PointQuery.parse(queryOf(event));
  const found = await getServicePoint(Number(id), { ...(await accessFor(event, account)), account });
  if (!found) throw new HttpError(404, 'SERVICE_POINT_NOT_FOUND', `Service point ${id} does not exist.`);
  count(found);
  return json(
    200,
    {
      servicePoint: found.view,
      stale: found.stale,
      fetchedAt: found.fetchedAt,
      ...(found.degradedReason ? { degradedReason: found.degradedReason } : {}),
    },
    { ...cors, ...checkoutCacheControl(found) },
  );
}

/** The query is checked before this: a bad one is refused alike for every account, known or not. */
const accessFor = (event: APIGatewayProxyEventV2, account: string) =>
  checkout.forRequest({
    account,
    sourceIp: event.requestContext.http.sourceIp,
    header: (name) => header(event, name),
  });

function count(answer: { readonly stale: boolean; readonly degradedReason?: string }): void {
  if (answer.stale) metrics.addMetric('CheckoutStaleAnswers', MetricUnit.Count, 1);
  if (answer.degradedReason === 'client-limit')
    metrics.addMetric('CheckoutClientLimited', MetricUnit.Count, 1);
}

export const handler = middy(servicePoints).use(injectLambdaContext(logger)).use(logMetrics(metrics));
