import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { json, toHttpResponse } from '../http';
import { errorFields } from '../observability';
import { SendcloudHttpError } from '../sendcloud/errors';
import { UpstreamUnavailableError } from './LookupCache';

/**
 * How long browsers may reuse an answer: a minute, except one degraded for this client alone (over its
 * share), which no cache may keep or hand to anyone else.
 */
export const checkoutCacheControl = (answer: {
  readonly degradedReason?: string;
}): Record<string, string> => ({
  'cache-control': answer.degradedReason === 'client-limit' ? 'private, no-store' : 'public, max-age=60',
});

/**
 * Checkout pages get an answer, never a 5xx page: with SendCloud down and nothing cached the answer is an
 * empty, flagged list (200), and the page can offer home delivery without choices.
 */
export async function checkoutResponse(
  cors: Record<string, string>,
  context: Context,
  logger: Logger,
  work: () => Promise<APIGatewayProxyResultV2>,
): Promise<APIGatewayProxyResultV2> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UpstreamUnavailableError) {
      logger.warn('SendCloud unavailable, nothing cached', { reason: error.reason });
      return json(
        200,
        { servicePoints: [], options: [], stale: true, fetchedAt: null, degradedReason: error.reason },
        { ...cors, 'cache-control': 'private, no-store' },
      );
    }
    // SendCloud refused the shopper's query itself (an unknown carrier, a malformed postal code): say so.
    if (error instanceof SendcloudHttpError && error.status === 400)
      return json(
        400,
        {
          code: 'QUERY_REFUSED',
          message: `SendCloud refused this query${error.sendcloudMessage ? `: ${error.sendcloudMessage.slice(0, 300)}` : ''}. Check carrier, country and postal code.`,
        },
        { ...cors, 'cache-control': 'private, no-store' },
      );
    logger.warn('checkout lookup failed', { error: errorFields(error) });
    const response = toHttpResponse(error, context.awsRequestId);
    return typeof response === 'object'
      ? { ...response, headers: { ...response.headers, ...cors } }
      : response;
  }
}
