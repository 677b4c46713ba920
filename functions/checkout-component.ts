import { createHash } from 'node:crypto';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { CHECKOUT_COMPONENT } from '../shared/web/component.generated';

/** GET /checkout/component.js — the `<sendcloud-bridge-checkout>` web component, cacheable for an hour. */
const etag = `"${createHash('sha256').update(CHECKOUT_COMPONENT).digest('hex').slice(0, 16)}"`;

export const handler = async (): Promise<APIGatewayProxyResultV2> => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=3600',
    'access-control-allow-origin': '*',
    etag,
  },
  body: CHECKOUT_COMPONENT,
});
