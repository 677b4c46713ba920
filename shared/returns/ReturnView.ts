import { canonicalJson, sha256 } from '../orders/canonical';
import type { OrderKey, OrderRecord } from '../orders/Order';
import type { RoutingDecision } from '../routing';
import type { ReturnRequest } from './ReturnRequest';

/** Returns are kept as order records in this channel, so tracking treats them like outbound parcels. */
export const RETURNS_CHANNEL = 'returns';

export interface ReturnView {
  readonly returnId: string;
  readonly status: string;
  readonly order: OrderKey & { readonly parcelId: number };
  readonly reference: string | null;
  readonly items: NonNullable<OrderRecord['returnItems']>;
  readonly parcel: {
    readonly id: number;
    readonly trackingNumber: string;
    readonly trackingUrl: string | null;
    readonly carrier: string;
    readonly shippingMethodId: number;
    readonly shippingMethodName: string;
  } | null;
  readonly tracking: { readonly status: string; readonly message: string; readonly at: string } | null;
  readonly returnPortalUrl: string | null;
  readonly routing: { readonly rule: string | null; readonly trace: RoutingDecision['trace'] } | null;
  readonly links: { readonly self: string; readonly label: string };
  readonly createdAt: string;
}

export const returnKey = (returnId: string): OrderKey => ({ channel: RETURNS_CHANNEL, orderId: returnId });

/** The same order with the same reference (or, without one, the same items) is the same return. */
export function returnIdOf(order: OrderKey, request: ReturnRequest): string {
  const what = request.reference ?? canonicalJson({ items: request.items, from: request.from ?? null });
  return `RET-${sha256(`${order.channel}|${order.orderId}|${what}`).slice(0, 16).toUpperCase()}`;
}

export function returnView(record: OrderRecord): ReturnView {
  const p = record.parcel;
  const of = record.returnOf;
  const id = encodeURIComponent(record.orderId);
  return {
    returnId: record.orderId,
    status: record.tracking?.status ?? record.status,
    order: { channel: of?.channel ?? '', orderId: of?.orderId ?? '', parcelId: of?.parcelId ?? 0 },
    reference: record.returnReference ?? null,
    items: record.returnItems ?? [],
    parcel: p
      ? {
          id: p.id,
          trackingNumber: p.trackingNumber,
          trackingUrl: p.trackingUrl,
          carrier: p.carrier,
          shippingMethodId: p.shippingMethodId,
          shippingMethodName: p.shippingMethodName,
        }
      : null,
    tracking: record.tracking
      ? { status: record.tracking.status, message: record.tracking.message, at: record.tracking.observedAt }
      : null,
    returnPortalUrl: record.returnPortalUrl ?? null,
    routing: record.routing ? { rule: record.routing.rule, trace: record.routing.trace } : null,
    links: { self: `/returns/${id}`, label: `/returns/${id}/label` },
    createdAt: record.createdAt,
  };
}
