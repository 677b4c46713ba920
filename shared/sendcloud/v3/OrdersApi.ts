import * as z from '../../validation/zod';
import { endpoint } from '../endpoints';
import { type MethodRef, v3Option } from '../port';
import { describeErrors, detailOf } from './errors';
import type { OrderBody } from './orderWire';
import { ErrorObject } from './schemas';
import type { V3Http } from './V3Http';

const MAX_UPSERT = 100;
const MAX_LABELS = 20;

const UpsertedOrders = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.number().check(z.int()),
      order_id: z.string(),
      order_number: z.nullish(z.string()),
    }),
  ),
});

const LabelsQueued = z.looseObject({
  data: z.nullish(
    z.array(
      z.looseObject({
        shipment_id: z.nullish(z.string()),
        order_id: z.nullish(z.string()),
        order_number: z.nullish(z.string()),
        parcel_id: z.nullish(z.number().check(z.int())),
        parcels_ids: z.nullish(z.array(z.number().check(z.int()))),
      }),
    ),
  ),
  errors: z.nullish(z.array(ErrorObject)),
});

export type OrderLabelResult =
  | { readonly outcome: 'queued'; readonly shipmentId: string | null; readonly parcelIds: readonly number[] }
  | { readonly outcome: 'failed'; readonly reason: string };

/**
 * The Orders API path of bulk announcing (measured against one synchronous announce per shipment):
 * `POST /orders` upserts up to 100 orders a call, all or nothing; `POST /orders/create-labels-async`
 * requests labels for 1–20 of them and answers per order (some may fail). Order saving is asynchronous at
 * SendCloud: an order just upserted may not be shippable yet.
 */
export class OrdersApi {
  readonly #http: V3Http;
  readonly #base: string;

  constructor(http: V3Http, options: { readonly baseUrl: string }) {
    this.#http = http;
    this.#base = options.baseUrl;
  }

  /**
   * Upserts in calls of 100; SendCloud's id per order id. An upsert keyed on `order_id` + integration is safe
   * to repeat, so 429s and 5xx are retried.
   */
  async upsert(orders: readonly OrderBody[]): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (let i = 0; i < orders.length; i += MAX_UPSERT) {
      const { data } = await this.#http.json(
        {
          method: 'POST',
          url: endpoint(this.#base, '/orders'),
          json: orders.slice(i, i + MAX_UPSERT),
          retry: true,
        },
        UpsertedOrders,
      );
      for (const order of data) ids.set(order.order_id, order.id);
    }
    return ids;
  }

  /**
   * Asks for labels for 1–20 orders (by order id). Not retried: it creates labels; after a lost answer, look
   * for the shipments by order number before asking again. One result per order id.
   */
  async createLabelsAsync(request: {
    readonly integrationId: number;
    readonly orderIds: readonly string[];
    readonly method?: MethodRef;
    readonly senderAddressId?: number;
  }): Promise<Map<string, OrderLabelResult>> {
    const { orderIds } = request;
    if (orderIds.length < 1 || orderIds.length > MAX_LABELS || new Set(orderIds).size !== orderIds.length)
      throw new RangeError(`between 1 and ${MAX_LABELS} distinct order ids are needed`);
    const option = request.method === undefined ? undefined : v3Option(request.method);
    if (request.method !== undefined && !option)
      throw new RangeError(`method ${request.method} is not a v3 shipping option`);
    const body: Record<string, unknown> = {
      integration_id: request.integrationId,
      // Only `order_id`: the document's selector is a oneOf, which both keys together would break.
      orders: orderIds.map((orderId) => ({ order_id: orderId })),
    };
    if (request.senderAddressId !== undefined) body.sender_address_id = request.senderAddressId;
    if (option)
      body.ship_with = {
        type: 'shipping_option_code',
        properties: {
          shipping_option_code: option.code,
          ...(option.contractId ? { contract_id: option.contractId } : {}),
        },
      };
    const answer = await this.#http.json(
      { method: 'POST', url: endpoint(this.#base, '/orders/create-labels-async'), json: body, retry: false },
      LabelsQueued,
    );
    const results = new Map<string, OrderLabelResult>();
    for (const label of answer.data ?? []) {
      if (!label.order_id) continue;
      results.set(label.order_id, {
        outcome: 'queued',
        shipmentId: label.shipment_id ?? null,
        parcelIds: label.parcels_ids ?? (label.parcel_id ? [label.parcel_id] : []),
      });
    }
    const failures = new Map<string, ReturnType<typeof detailOf>[]>();
    for (const error of answer.errors ?? []) {
      const detail = detailOf(error);
      const index = /\/orders\/\[?(\d+)\]?/.exec(detail.pointer ?? '')?.[1];
      const orderId = index === undefined ? undefined : orderIds[Number(index)];
      if (orderId && !results.has(orderId)) failures.set(orderId, [...(failures.get(orderId) ?? []), detail]);
    }
    for (const orderId of orderIds) {
      if (results.has(orderId)) continue;
      const details = failures.get(orderId);
      results.set(orderId, {
        outcome: 'failed',
        reason: details ? describeErrors(details) : 'SendCloud answered nothing for this order',
      });
    }
    return new Map(
      orderIds.flatMap((id) => {
        const result = results.get(id);
        return result ? [[id, result] as const] : [];
      }),
    );
  }
}
