import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { checkoutCacheControl, checkoutResponse } from '../shared/checkout/checkoutResponse';
import { createPublicCheckout } from '../shared/checkout/createPublicCheckout';
import { DeliveryOptionsParams, deliveryOptions } from '../shared/checkout/deliveryOptions';
import { loadEnv } from '../shared/config/env';
import { corsHeaders, header, json, queryOf } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { unavailableMethods } from '../shared/orders/announcement';
import { accountDirectory } from '../shared/runtime/accountDirectory';
import { checkoutCache } from '../shared/runtime/checkoutCache';
import { compose } from '../shared/runtime/compose';
import { routingDeps } from '../shared/runtime/routingDeps';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';

/** GET /delivery-options?country=&postalCode=&weightGrams=&orderValue=&channel= — what checkout can offer. */
const services = compose(loadEnv(), {
  checkoutCache,
  sendcloudClients,
  directory: accountDirectory,
  routingDeps,
});
const { logger, metrics } = observability('delivery-options');
const checkout = createPublicCheckout(services, {
  db: () => DynamoDBDocumentClient.from(new DynamoDBClient({})),
  onUnconfigured: (account) => logger.error('account has no SendCloud keys in the credentials', { account }),
});

async function getDeliveryOptions(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const cors = corsHeaders(event, services.env.CHECKOUT_ORIGINS);
  return checkoutResponse(cors, context, logger, async () => {
    // The query is checked before the account is looked at: a bad query answers alike for every account.
    const query = DeliveryOptionsParams.parse(queryOf(event));
    const access = await checkout.forRequest({
      account: query.account,
      sourceIp: event.requestContext.http.sourceIp,
      header: (name) => header(event, name),
    });
    const deps = services.routingDeps;
    const answer = await deliveryOptions(query, {
      ...access,
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
    if (answer.degradedReason === 'client-limit')
      metrics.addMetric('CheckoutClientLimited', MetricUnit.Count, 1);
    return json(200, answer, { ...cors, ...checkoutCacheControl(answer) });
  });
}

export const handler = middy(getDeliveryOptions).use(injectLambdaContext(logger)).use(logMetrics(metrics));
