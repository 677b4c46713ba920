import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { header, json, rawBody } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { accountDirectory } from '../shared/runtime/accountDirectory';
import { compose } from '../shared/runtime/compose';
import { eventPublisher } from '../shared/runtime/eventPublisher';
import { orderQueue } from '../shared/runtime/orderQueue';
import { orderStore } from '../shared/runtime/orderStore';
import { trackingStore } from '../shared/runtime/trackingStore';
import { SENDCLOUD_SIGNATURE_HEADER } from '../shared/sendcloud/signature';
import { plausibilityWindows } from '../shared/tracking/plausibility';
import { EVENTS_ROUTE, type EventAnswer, receiveEvent } from '../shared/tracking/receiveEvent';
import { INTEGRATION_ACTIONS, receiveWebhook, type WebhookAnswer } from '../shared/tracking/receiveWebhook';

/**
 * POST /webhooks/sendcloud[/{account}] — not IAM: SendCloud signs with `Sendcloud-Signature`, keyed with the
 * path's account's secret (the route without an account: see `webhookAccount`). Rejections say nothing that
 * helps an attacker; everything known is answered 200 quickly (SendCloud retries the rest).
 *
 * POST /webhooks/sendcloud/{account}/events — v3 event subscriptions (beta): authenticated by the account's
 * `eventSubscription` credentials (bearer, basic or API-key header, as its SendCloud connection sends them).
 */
const services = compose(loadEnv(), {
  store: orderStore,
  tracking: trackingStore,
  events: eventPublisher,
  directory: accountDirectory,
  queue: orderQueue,
});
const { logger, metrics } = observability('sendcloud-webhook');
const deps = {
  store: services.store,
  tracking: services.tracking,
  events: services.events,
  clock: () => new Date(),
  secrets: (account: string) => services.directory.webhookSecrets(account),
  accounts: () => services.directory.accounts(),
  eventAuth: (account: string) => services.directory.eventSubscriptionAuth(account),
  windows: plausibilityWindows(),
  // The worker reads the catalogue: this function stays small and never calls SendCloud.
  integrationChanged: (account: string) =>
    services.queue.send([{ kind: 'catalog-refresh', account, trigger: 'webhook' }]),
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
  ...INTEGRATION_ACTIONS,
  'return_created',
  'test_webhook',
  'integration_credentials',
]);

const EVENT_REJECTION: Record<Extract<EventAnswer, { status: 400 | 401 | 413 }>['reason'], string> = {
  not_json: 'The body is not a SendCloud event.',
  not_configured:
    'Event subscriptions are not set up for this account: add eventSubscription to its SendCloud credentials.',
  bad_credentials: 'Missing or invalid credentials for this account’s event subscription.',
  too_large: 'Payload too large.',
};

async function sendcloudEvent(
  account: string,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyResultV2> {
  const answer = await receiveEvent(
    { account, rawBody: rawBody(event), header: (name) => header(event, name) },
    deps,
  );
  if ('reason' in answer) {
    metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
    logger.warn('event rejected', { account, reason: answer.reason });
    return json(answer.status, { message: EVENT_REJECTION[answer.reason] });
  }
  if (answer.status === 202) {
    metrics.addMetric('EventsIgnored', MetricUnit.Count, 1);
    logger.info('event acknowledged, nothing to apply', {
      account,
      reason: answer.ignored,
      ...(answer.eventType ? { eventType: answer.eventType } : {}),
      ...(answer.problems ? { problems: answer.problems } : {}),
    });
    return json(202, { received: true, ignored: true, reason: answer.ignored });
  }
  const { outcome } = answer;
  reportApplied('event', account, answer);
  return json(200, { received: true, outcome: outcome === 'account_mismatch' ? 'unknown_parcel' : outcome });
}

/** Metrics and warnings for a status that went through `applyStatus`: webhooks and events alike. */
function reportApplied(
  kind: 'webhook' | 'event',
  account: string,
  answer: {
    readonly outcome: string;
    readonly parcelId?: number;
    readonly owner?: string;
    readonly implausible?: unknown;
  },
): void {
  metrics.addMetric(
    answer.outcome === 'applied'
      ? 'ParcelStatusApplied'
      : kind === 'webhook'
        ? 'WebhooksIgnored'
        : 'EventsIgnored',
    MetricUnit.Count,
    1,
  );
  if (answer.outcome === 'account_mismatch') {
    metrics.addMetric('WebhookAccountMismatch', MetricUnit.Count, 1);
    logger.warn(`${kind} for another account’s parcel ignored`, {
      parcelId: answer.parcelId,
      account,
      owningAccount: answer.owner,
    });
  }
  if (answer.outcome === 'implausible') {
    metrics.addMetric('ParcelStatusImplausible', MetricUnit.Count, 1);
    logger.warn('implausible status kept in history only', {
      parcelId: answer.parcelId,
      account,
      implausible: answer.implausible,
    });
  }
}

async function sendcloudWebhook(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const routeAccount = event.pathParameters?.account;
  try {
    if (event.routeKey === EVENTS_ROUTE && routeAccount !== undefined)
      return await sendcloudEvent(routeAccount, event);
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
    reportApplied('webhook', account, answer);
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
