import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { json, toHttpResponse } from '../shared/http';
import { functionLogger } from '../shared/observability';
import { compose } from '../shared/runtime/compose';
import { orderStore } from '../shared/runtime/orderStore';
import { trackingStore } from '../shared/runtime/trackingStore';
import * as z from '../shared/validation/zod';

/** GET /parcels/status?ids=1,2,3 — current status of up to 100 SendCloud parcels in one call. */
const services = compose(loadEnv(), { store: orderStore, tracking: trackingStore });
const logger = functionLogger('get-parcel-status');
const Ids = z.pipe(
  z.pipe(
    z.string({ error: 'ids is required: a comma-separated list of SendCloud parcel ids' }),
    z.transform((value) => value.split(',').filter(Boolean).map(Number)),
  ),
  z
    .array(z.number().check(z.int(), z.positive('parcel ids are positive integers')))
    .check(z.minLength(1), z.maxLength(100, 'at most 100 ids per call')),
);

async function getParcelStatus(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const ids = Ids.parse(event.queryStringParameters?.ids);
    const pointers = await services.tracking.pointers(ids);
    const parcels: Array<{ parcelId: number } & Record<string, unknown>> = [];
    for (const id of ids) {
      const pointer = pointers.get(id);
      const order = pointer ? await services.store.get(pointer) : undefined;
      const p = order?.parcel;
      if (!order || !p) continue;
      parcels.push({
        parcelId: id,
        orderId: order.orderId,
        channel: order.channel,
        account: order.account,
        carrier: p.carrier,
        trackingNumber: p.trackingNumber,
        trackingUrl: p.trackingUrl,
        status: order.tracking?.status ?? 'announced',
        sendcloudStatus: {
          id: order.tracking?.statusId ?? p.statusId,
          message: order.tracking?.message ?? p.statusMessage,
        },
        updatedAt: order.tracking?.receivedAt ?? p.announcedAt,
      });
    }
    return json(200, { parcels, unknown: ids.filter((id) => !parcels.some((p) => p.parcelId === id)) });
  } catch (error) {
    return toHttpResponse(error, context.awsRequestId);
  }
}

export const handler = middy(getParcelStatus).use(injectLambdaContext(logger));
