import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { loadEnv } from '../shared/config';
import { HttpError, toHttpResponse } from '../shared/http';
import { labelKey } from '../shared/labels';
import { observability } from '../shared/observability';
import { findOrder } from '../shared/orders';
import { createServices } from '../shared/runtime/services';

/** GET /orders/{orderId}/label?format=a6|a4|zpl — the stored label's bytes (A4 is made and stored on first ask). */
const services = createServices(loadEnv());
const { logger } = observability('get-order-label');
const Format = z.enum(['a6', 'a4', 'zpl']).default('a6');
const TYPES = { a6: 'application/pdf', a4: 'application/pdf', zpl: 'application/zpl' } as const;

async function getOrderLabel(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const format = Format.safeParse(event.queryStringParameters?.format);
    if (!format.success) throw new HttpError(400, 'INVALID_FORMAT', 'format must be a6, a4 or zpl.');
    const order = await findOrder(
      services.store,
      event.pathParameters?.orderId ?? '',
      event.queryStringParameters?.channel,
    );
    const parcel = order.parcel;
    if (!parcel || order.status === 'announced') {
      throw new HttpError(
        404,
        'LABEL_NOT_READY',
        `No label stored yet for order ${order.orderId} (status ${order.status}); try again shortly.`,
      );
    }
    const key = labelKey({
      account: order.account,
      channel: order.channel,
      orderId: order.orderId,
      parcelId: parcel.id,
      format: format.data,
    });
    let bytes = await services.labelStore.get(key);
    if (!bytes && format.data === 'a4') {
      const client = await services.processDeps.sendcloud(order.account);
      bytes = await client.labels.normalPrinterPdf(parcel.id, 0);
      await services.labelStore.put(key, bytes, TYPES.a4);
    }
    if (!bytes)
      throw new HttpError(
        404,
        'LABEL_FORMAT_NOT_STORED',
        `No ${format.data} label is stored for this order; this account's print profile does not produce it.`,
      );
    return {
      statusCode: 200,
      headers: {
        'content-type': TYPES[format.data],
        'content-disposition': `inline; filename="${parcel.id}-${format.data}.${format.data === 'zpl' ? 'zpl' : 'pdf'}"`,
      },
      isBase64Encoded: true,
      body: Buffer.from(bytes).toString('base64'),
    };
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getOrderLabel).use(injectLambdaContext(logger));
