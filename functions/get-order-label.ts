import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../shared/config/env';
import { HttpError, toHttpResponse } from '../shared/http';
import { joinLabels } from '../shared/labels/joinLabels';
import { labelKey } from '../shared/labels/LabelStore';
import { MetricUnit, observability } from '../shared/observability';
import { findOrder } from '../shared/orders/findOrder';
import { needsCustomsDocument } from '../shared/orders/needsCustomsDocument';
import { type OrderParcel, type OrderRecord, parcelsOf } from '../shared/orders/Order';
import { a4SendcloudPorts } from '../shared/runtime/a4SendcloudPorts';
import { compose, group } from '../shared/runtime/compose';
import { labelStore } from '../shared/runtime/labelStore';
import { orderStore } from '../shared/runtime/orderStore';
import * as z from '../shared/validation/zod';

/**
 * GET /orders/{orderId}/label?format=a6|a4|zpl — the stored label's bytes (A4 is made and stored on first ask);
 * `?document=customs`, or GET /orders/{orderId}/documents/customs — the customs document (PDF) of a parcel
 * leaving the EU customs territory (`/documents/label` is the label).
 */
const services = compose(loadEnv(), {
  store: orderStore,
  labelStore,
  processDeps: group({ sendcloud: a4SendcloudPorts }),
});
const { logger, metrics } = observability('get-order-label');
const Format = z._default(z.enum(['a6', 'a4', 'zpl']), 'a6');
const Document = z._default(z.enum(['label', 'customs']), 'label');
type Format = z.infer<typeof Format>;
const TYPES = { a6: 'application/pdf', a4: 'application/pdf', zpl: 'application/zpl' } as const;

/** The order's parcel, or the answer saying why it has no label (yet, or ever). */
function labelledParcel(order: OrderRecord): OrderParcel {
  if (order.status === 'failed')
    throw new HttpError(
      409,
      'ORDER_FAILED',
      `Order ${order.orderId} has no label: it failed (${order.failure?.code ?? 'no code'}: ${order.failure?.reason ?? 'no reason recorded'}). Send a corrected order with a new orderId.`,
    );
  if (order.status === 'cancelled' || order.status === 'cancellation_requested')
    throw new HttpError(
      409,
      'ORDER_CANCELLED',
      `Order ${order.orderId} was cancelled (${order.status}); its label must not be used.`,
    );
  if (order.status === 'ready')
    throw new HttpError(
      404,
      'LABEL_NOT_READY',
      `Order ${order.orderId} waits for its account's end-of-day batch (POST /batches); its label is made then.`,
    );
  if (
    !order.parcel ||
    order.status === 'accepted' ||
    order.status === 'creating' ||
    order.status === 'announced'
  )
    throw new HttpError(
      404,
      'LABEL_NOT_READY',
      `No label stored yet for order ${order.orderId} (status ${order.status}); try again shortly.`,
    );
  return order.parcel;
}

async function getOrderLabel(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    const query = event.queryStringParameters ?? {};
    const format = Format.safeParse(query.format);
    if (!format.success) throw new HttpError(400, 'INVALID_FORMAT', 'format must be a6, a4 or zpl.');
    // `/orders/{id}/documents/{document}` names it in the path, `/orders/{id}/label?document=` in the query
    const document = Document.safeParse(event.pathParameters?.document ?? query.document);
    if (!document.success)
      throw new HttpError(400, 'INVALID_DOCUMENT', 'document must be label (the default) or customs.');
    if (document.data === 'customs' && query.format !== undefined)
      throw new HttpError(
        400,
        'INVALID_FORMAT',
        'format applies to labels; the customs document is a PDF (leave format out).',
      );
    const order = await findOrder(services.store, event.pathParameters?.orderId ?? '', query.channel);
    if (document.data === 'customs') return await customsDocument(order);
    const parcel = labelledParcel(order);
    const bytes = await labelBytes(order, parcel.id, format.data);
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

/** The stored customs document, or why there is none: the parcel stays in the EU, or it is not made yet. */
async function customsDocument(order: OrderRecord): Promise<APIGatewayProxyResultV2> {
  if (!needsCustomsDocument(order))
    throw new HttpError(
      404,
      'NO_CUSTOMS_DOCUMENT',
      `Order ${order.orderId} ships to ${order.spec.toCountry}, inside the EU customs union: it needs no customs document. Its label is at /orders/${order.orderId}/label.`,
    );
  const parcel = labelledParcel(order);
  const recorded = order.customsDocument;
  if (!recorded)
    throw new HttpError(
      404,
      'LABEL_NOT_READY',
      `No customs document stored yet for order ${order.orderId} (status ${order.status}); try again shortly.`,
    );
  const bytes = await services.labelStore.get(recorded.key);
  if (!bytes) {
    logger.error('stored customs document missing', {
      orderId: order.orderId,
      channel: order.channel,
      key: recorded.key,
    });
    metrics.addMetric('LabelMissing', MetricUnit.Count, 1);
    throw new LabelMissingError('customs document');
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': recorded.contentType,
      'content-disposition': `inline; filename="${parcel.id}-customs.pdf"`,
    },
    isBase64Encoded: true,
    body: Buffer.from(bytes).toString('base64'),
  };
}

/**
 * The label's bytes. A6 (and ZPL, for accounts that print it) were stored when the order was processed: one
 * recorded but gone from S3 is our fault (a 500, logged, `LabelMissing`), not the caller's.
 */
async function labelBytes(order: OrderRecord, parcelId: number, format: Format): Promise<Uint8Array> {
  const key = labelKey({
    account: order.account,
    channel: order.channel,
    orderId: order.orderId,
    parcelId,
    format,
  });
  if (format === 'a4') {
    const stored = await services.labelStore.get(key);
    if (stored) return stored;
    const port = await services.processDeps.sendcloud(order.account);
    // several colli: an A4 sheet for each collo's label, collo 1 first
    const sheets: Uint8Array[] = [];
    for (const collo of parcelsOf(order)) sheets.push(await port.a4Label(collo.id, 0));
    const bytes = await joinLabels(sheets, 'a6');
    await services.labelStore.put(key, bytes, TYPES.a4);
    return bytes;
  }
  const recorded = order.labels?.[format];
  if (!recorded)
    throw new HttpError(
      404,
      'LABEL_FORMAT_NOT_STORED',
      format === 'zpl'
        ? `No ZPL label was made for order ${order.orderId}: ZPL is made for accounts whose printers take it (ZPL_ACCOUNTS). Ask for format=a6 or a4.`
        : `No A6 label is recorded for order ${order.orderId} (status ${order.status}).`,
    );
  const bytes = await services.labelStore.get(recorded.key);
  if (bytes) return bytes;
  logger.error('stored label missing', {
    orderId: order.orderId,
    channel: order.channel,
    format,
    key: recorded.key,
  });
  metrics.addMetric('LabelMissing', MetricUnit.Count, 1);
  throw new LabelMissingError(`${format} label`);
}

/** A label the order records as stored is not in the bucket. */
class LabelMissingError extends Error {
  override readonly name = 'LabelMissingError' as const;
  readonly code = 'LABEL_MISSING' as const;
  readonly retryable = false;
  constructor(format: string) {
    super(`the ${format} recorded for this order is not in the label bucket`);
  }
}

export const handler = middy(getOrderLabel).use(injectLambdaContext(logger)).use(logMetrics(metrics));
