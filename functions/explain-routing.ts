import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv, shipsFromOf } from '../shared/config/env';
import { HttpError, json, jsonBody, toHttpResponse } from '../shared/http';
import { functionLogger } from '../shared/observability';
import { orderSpecOf } from '../shared/orders/acceptOrder';
import { routingInputs } from '../shared/orders/announcement';
import type { OrderRecord } from '../shared/orders/Order';
import { OrderRequest } from '../shared/orders/OrderRequest';
import { route } from '../shared/routing/route';
import { checkAgainst, readRuleSet } from '../shared/rules/readRuleSet';
import { compose } from '../shared/runtime/compose';
import { routingDeps } from '../shared/runtime/routingDeps';
import { describeProblems } from '../shared/validation';
import * as z from '../shared/validation/zod';

/**
 * POST /routing/explain — the decision for an order, with its trace, creating nothing. The body is the order,
 * or `{order, rules}` to try a draft rule set (checked as a PUT would check it) instead of the stored one.
 */
const services = compose(loadEnv(), { routingDeps });
const logger = functionLogger('explain-routing');

/** An order with a draft rule set; a bare order has no `order` field, so the two never mix. */
const WithDraft = z.strictObject({
  order: z.record(z.string(), z.unknown()),
  rules: z.record(z.string(), z.unknown()),
});

async function explainRouting(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const body = jsonBody(event);
    const withDraft = WithDraft.safeParse(body);
    const order = OrderRequest.parse(withDraft.success ? withDraft.data.order : body);
    const client = await services.routingDeps.sendcloud(order.account);
    const draftRules = withDraft.success
      ? await readRuleSet(withDraft.data.rules, checkAgainst(client))
      : undefined;
    if (draftRules?.outcome === 'invalid')
      throw new HttpError(
        400,
        'INVALID_RULES',
        `The draft rule set is not valid for account ${order.account}: ${describeProblems(draftRules.problems)}`,
        { details: draftRules.problems },
      );
    const draft: OrderRecord = {
      channel: order.channel,
      orderId: order.orderId,
      account: order.account,
      status: 'accepted',
      bodyHash: '',
      spec: orderSpecOf(order, shipsFromOf(services.env)(order.account)),
      attempt: 0,
      createdAt: '',
      updatedAt: '',
    };
    const inputs = await routingInputs(draft, services.routingDeps, client);
    if ('failure' in inputs) return json(200, { choice: null, reason: inputs.failure });
    const decision = route(inputs.routingOrder, {
      methods: inputs.methods,
      unavailable: inputs.unavailable,
      rules: draftRules?.rules ?? inputs.rules,
    });
    return json(200, draftRules ? { ...decision, draft: { warnings: draftRules.warnings } } : decision);
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(explainRouting).use(injectLambdaContext(logger));
