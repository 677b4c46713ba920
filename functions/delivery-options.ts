import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { checkoutResponse, DeliveryOptionsParams, deliveryOptions } from '../shared/checkout';
import { loadEnv } from '../shared/config';
import { corsHeaders, json, queryOf } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { unavailableMethods } from '../shared/orders';
import { createServices } from '../shared/runtime/services';

/** GET /delivery-options?country=&postalCode=&weightGrams=&orderValue=&channel= — what checkout can offer. */
const services = createServices(loadEnv());
const { logger, metrics } = observability('delivery-options');

async function getDeliveryOptions(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const cors = corsHeaders(event, services.env.CHECKOUT_ORIGINS);
  return checkoutResponse(cors, context, logger, async () => {
    const query = DeliveryOptionsParams.parse(queryOf(event));
    await services.directory.credentials(query.account);
    const client = await services.sendcloudClients.forAccount(query.account, 'checkout');
    const deps = services.processDeps;
    const answer = await deliveryOptions(query, {
      client,
      cache: services.checkoutCache,
      rules: (account) => deps.rules.current(account),
      unavailable: (account, ids) => unavailableMethods(account, ids, deps),
      checkoutConfiguration: (account) => services.env.CHECKOUT_CONFIGURATIONS.get(account),
      schedule: services.env.CHECKOUT_CUTOFFS.get(query.account) ?? {
        cutOff: services.env.CHECKOUT_CUTOFF,
        timeZone: services.env.CHECKOUT_TIME_ZONE,
      },
      clock: () => new Date(),
    });
    if (answer.stale) metrics.addMetric('CheckoutStaleAnswers', MetricUnit.Count, 1);
    return json(200, answer, { ...cors, 'cache-control': 'public, max-age=60' });
  });
}

export const handler = middy(getDeliveryOptions).use(injectLambdaContext(logger)).use(logMetrics(metrics));
