import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config';
import { header, json, rawBody } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { createServices } from '../shared/runtime/services';
import { SENDCLOUD_SIGNATURE_HEADER } from '../shared/sendcloud';
import { plausibilityWindows, receiveWebhook, type WebhookAnswer } from '../shared/tracking';

/**
 * POST /webhooks/sendcloud[/{account}] — not IAM: SendCloud signs with `Sendcloud-Signature`, keyed with the
 * path's account's secret (the route without an account: see `webhookAccount`). Rejections say nothing that
 * helps an attacker; everything known is answered 200 quickly (SendCloud retries the rest).
 */
const services = createServices(loadEnv());
const { logger, metrics } = observability('sendcloud-webhook');
const deps = {
  store: services.store,
  tracking: services.tracking,
  events: services.events,
  clock: () => new Date(),
  secrets: (account: string) => services.directory.webhookSecrets(account),
  accounts: () => services.directory.accounts(),
  windows: plausibilityWindows(),
};
const REJECTION: Record<Extract<WebhookAnswer, { status: 400 | 401 | 413 }>['reason'], string> = {
  not_json: 'The body is not a SendCloud webhook.',
  no_action: 'The body is not a SendCloud webhook.',
  unsigned: 'Invalid signature.',
  bad_signature: 'Invalid signature.',
  too_large: 'Payload too large.',
  account_required:
    'This stage has several SendCloud accounts: set each account’s webhook URL to /webhooks/sendcloud/{account}.',
};
const KNOWN_ACTIONS = new Set([
  'integration_connected',
  'integration_updated',
  'integration_deleted',
  'return_created',
  'test_webhook',
  'integration_credentials',
]);

async function sendcloudWebhook(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const routeAccount = event.pathParameters?.account;
  try {
    const answer = await receiveWebhook(
      {
        account: routeAccount,
        rawBody: rawBody(event),
        signature: header(event, SENDCLOUD_SIGNATURE_HEADER),
      },
      deps,
    );
    if (answer.status !== 200) {
      metrics.addMetric('WebhooksRejected', MetricUnit.Count, 1);
      logger.warn('webhook rejected', { account: routeAccount ?? '(default route)', reason: answer.reason });
      return json(answer.status, { message: REJECTION[answer.reason] });
    }
    const { account, outcome } = answer;
    metrics.addMetric(outcome === 'applied' ? 'ParcelStatusApplied' : 'WebhooksIgnored', MetricUnit.Count, 1);
    if (outcome === 'account_mismatch') {
      metrics.addMetric('WebhookAccountMismatch', MetricUnit.Count, 1);
      logger.warn('webhook for another account’s parcel ignored', {
        parcelId: answer.parcelId,
        account,
        owningAccount: answer.owner,
      });
    }
    if (outcome === 'implausible') {
      metrics.addMetric('ParcelStatusImplausible', MetricUnit.Count, 1);
      logger.warn('implausible status kept in history only', {
        parcelId: answer.parcelId,
        account,
        implausible: answer.implausible,
      });
    }
    if (outcome === 'acknowledged' && !KNOWN_ACTIONS.has(answer.action))
      logger.info('unknown webhook action acknowledged', { account, action: answer.action });
    // To the sender another account's parcel looks like one we do not know: no hint whose it is.
    return json(200, {
      received: true,
      outcome: outcome === 'account_mismatch' ? 'unknown_parcel' : outcome,
    });
  } catch (error) {
    logger.error('webhook failed; SendCloud will retry', {
      account: routeAccount ?? '(default route)',
      error: error instanceof Error ? error.name : 'error',
    });
    return json(500, { message: 'Try again later.', requestId: context.awsRequestId });
  }
}

export const handler = middy(sendcloudWebhook).use(injectLambdaContext(logger)).use(logMetrics(metrics));
