import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config';
import { HttpError, json, jsonBody, toHttpResponse } from '../shared/http';
import { observability } from '../shared/observability';
import { DEFAULT_RULES, migrateToV3, RuleSet } from '../shared/routing';
import { createServices } from '../shared/runtime/services';

/**
 * GET /routing/rules/{account} — the account's rule set (or the default).
 * PUT /routing/rules/{account} — a new version; refused unless its version is higher than the current one.
 * POST /routing/rules/{account}/v3-migration — the account's rules as they would read on API v3 (v2 method
 * ids mapped to v3 options by SendCloud), with what did not map; stores nothing.
 */
const services = createServices(loadEnv());
const { logger } = observability('routing-rules');

async function routingRules(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const account = event.pathParameters?.account ?? '';
    services.requireAccount(account);
    const rules = services.processDeps.rules;
    if (event.requestContext.http.method === 'POST') {
      const current = (await rules.current(account)) ?? DEFAULT_RULES;
      // v3's compat lookup works for every account, also one still on v2 (that is when it is needed)
      const port = await services.sendcloudClients.port(account, 'realtime', 'v3');
      const migration = await migrateToV3(current, (ids) => port.mapLegacyMethods(ids));
      return json(200, { account, ...migration });
    }
    if (event.requestContext.http.method === 'GET') {
      const current = await rules.current(account);
      return json(200, { account, source: current ? 'account' : 'default', rules: current ?? DEFAULT_RULES });
    }
    const next = RuleSet.parse(jsonBody(event));
    if (!(await rules.put(account, next))) {
      const current = await rules.current(account);
      throw new HttpError(
        409,
        'STALE_RULES_VERSION',
        `version ${next.version} is not higher than the current version ${current?.version ?? 0}; send version ${(current?.version ?? 0) + 1}.`,
      );
    }
    logger.info('routing rules updated', { account, version: next.version });
    return json(200, { account, source: 'account', rules: next });
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(routingRules).use(injectLambdaContext(logger));
