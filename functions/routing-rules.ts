import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { callerOf, HttpError, json, jsonBody, toHttpResponse } from '../shared/http';
import { functionLogger } from '../shared/observability';
import { migrateToV3 } from '../shared/routing/migrateToV3';
import { defaultRules } from '../shared/routing/RuleSet';
import { checkAgainst } from '../shared/rules/readRuleSet';
import { restoreRuleSet } from '../shared/rules/restoreRuleSet';
import { type StoreOutcome, storeRuleSet } from '../shared/rules/storeRuleSet';
import { compose, group } from '../shared/runtime/compose';
import { rulesStore } from '../shared/runtime/rulesStore';
import { sendcloudClients } from '../shared/runtime/sendcloudClients';
import { describeProblems } from '../shared/validation';
import * as z from '../shared/validation/zod';

/**
 * GET /routing/rules/{account} — the account's rule set (or the default).
 * PUT /routing/rules/{account} — a new version, checked against the account's catalogue; refused unless its
 * version is higher than the current one.
 * GET /routing/rules/{account}/versions[/{version}] — every version stored, or one with its rules.
 * POST /routing/rules/{account}/versions/{version}/restore — that version's content as a new version.
 * POST /routing/rules/{account}/v3-migration — the account's rules as they would read on API v3 (v2 method
 * ids mapped to v3 options by SendCloud), with what did not map; stores nothing.
 */
const services = compose(loadEnv(), { sendcloudClients, processDeps: group({ rules: rulesStore }) });
const logger = functionLogger('routing-rules');

const VersionParam = z.coerce.number().check(z.int(), z.positive());
const RestoreBody = z.strictObject({ version: z.optional(z.number().check(z.int(), z.positive())) });

async function routingRules(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const account = event.pathParameters?.account ?? '';
    services.requireAccount(account);
    const rules = services.processDeps.rules;
    const check = async () => checkAgainst(await services.sendcloudClients.port(account, 'realtime'));
    switch (event.routeKey) {
      case 'POST /routing/rules/{account}/v3-migration': {
        const current = (await rules.current(account)) ?? defaultRules();
        // v3's compat lookup works for every account, also one still on v2 (that is when it is needed)
        const port = await services.sendcloudClients.port(account, 'realtime', 'v3');
        const migration = await migrateToV3(current, (ids) => port.mapLegacyMethods(ids));
        return json(200, { account, ...migration });
      }
      case 'GET /routing/rules/{account}/versions':
        return json(200, { account, versions: await rules.versions(account) });
      case 'GET /routing/rules/{account}/versions/{version}': {
        const version = versionOf(event);
        const found = await rules.version(account, version);
        if (!found) throw noSuchVersion(account, version);
        return json(200, { account, ...found });
      }
      case 'POST /routing/rules/{account}/versions/{version}/restore': {
        const body = RestoreBody.parse(event.body ? jsonBody(event) : {});
        const outcome = await restoreRuleSet(
          versionOf(event),
          { rules, check: await check() },
          { account, storedBy: callerOf(event), ...(body.version ? { asVersion: body.version } : {}) },
        );
        if (outcome.outcome === 'not_found') throw noSuchVersion(account, outcome.version);
        return stored(account, outcome);
      }
      case 'PUT /routing/rules/{account}':
        return stored(
          account,
          await storeRuleSet(
            jsonBody(event),
            { rules, check: await check() },
            { account, storedBy: callerOf(event) },
          ),
        );
      default: {
        const current = await rules.current(account);
        return json(200, {
          account,
          source: current ? 'account' : 'default',
          rules: current ?? defaultRules(),
        });
      }
    }
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

function stored(account: string, outcome: StoreOutcome & { readonly restoredFrom?: number }) {
  if (outcome.outcome === 'invalid')
    throw new HttpError(
      400,
      'INVALID_RULES',
      `The rule set is not valid for account ${account}: ${describeProblems(outcome.problems)}`,
      { details: outcome.problems },
    );
  if (outcome.outcome === 'stale')
    throw new HttpError(
      409,
      'STALE_RULES_VERSION',
      `version ${outcome.version} is not higher than the current version ${outcome.currentVersion}; send version ${outcome.currentVersion + 1}.`,
    );
  const restored = outcome.restoredFrom === undefined ? {} : { restoredFrom: outcome.restoredFrom };
  logger.info('routing rules updated', { account, version: outcome.rules.version, ...restored });
  return json(200, {
    account,
    source: 'account',
    rules: outcome.rules,
    warnings: outcome.warnings,
    ...restored,
  });
}

function versionOf(event: APIGatewayProxyEventV2): number {
  const parsed = VersionParam.safeParse(event.pathParameters?.version);
  if (!parsed.success)
    throw new HttpError(400, 'INVALID_VERSION', 'the version in the path must be a positive whole number');
  return parsed.data;
}

const noSuchVersion = (account: string, version: number) =>
  new HttpError(
    404,
    'NO_SUCH_VERSION',
    `account ${account} has no stored version ${version}; GET /routing/rules/${account}/versions lists them`,
  );

export const handler = middy(routingRules).use(injectLambdaContext(logger));
