import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config';
import { header, json, rawBody } from '../shared/http';
import { MetricUnit, observability } from '../shared/observability';
import { createServices } from '../shared/runtime/services';
import { SENDCLOUD_SIGNATURE_HEADER } from '../shared/sendcloud';
import { receiveWebhook } from '../shared/tracking';

/**
 * POST /webhooks/sendcloud[/{account}] — not IAM: SendCloud signs with `Sendcloud-Signature`. Rejections say
 * nothing that helps an attacker; everything known is answered 200 quickly (SendCloud retries the rest).
 */
const services = createServices(loadEnv());
const { logger, metrics } = observability('sendcloud-webhook');
const deps = {
  store: services.store,
  tracking: services.tracking,
  events: services.events,
  clock: () => new Date(),
  secrets: (account: string) => services.directory.webhookSecrets(account),
};
const REJECTION = {
  400: 'The body is not a SendCloud webhook.',
  401: 'Invalid signature.',
  413: 'Payload too large.',
} as const;

async function sendcloudWebhook(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const account = event.pathParameters?.account ?? 'default';
  try {
    const answer = await receiveWebhook(
      { account, rawBody: rawBody(event), signature: header(event, SENDCLOUD_SIGNATURE_HEADER) },
      deps,
    );
    if (answer.status !== 200) {
      metrics.addMetric('WebhooksRejected', MetricUnit.Count, 1);
      logger.warn('webhook rejected', { account, reason: answer.reason });
      return json(answer.status, { message: REJECTION[answer.status] });
    }
    metrics.addMetric(
      answer.outcome === 'applied' ? 'ParcelStatusApplied' : 'WebhooksIgnored',
      MetricUnit.Count,
      1,
    );
    if (
      answer.outcome === 'acknowledged' &&
      ![
        'integration_connected',
        'integration_updated',
        'integration_deleted',
        'return_created',
        'test_webhook',
        'integration_credentials',
      ].includes(answer.action)
    ) {
      logger.info('unknown webhook action acknowledged', { account, action: answer.action });
    }
    return json(200, { received: true, outcome: answer.outcome });
  } catch (error) {
    logger.error('webhook failed; SendCloud will retry', {
      account,
      error: error instanceof Error ? error.name : 'error',
    });
    return json(500, { message: 'Try again later.', requestId: context.awsRequestId });
  }
}

export const handler = middy(sendcloudWebhook).use(injectLambdaContext(logger)).use(logMetrics(metrics));
