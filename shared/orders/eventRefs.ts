import { methodRefOf, type OrderParcel, type OrderRecord, parcelsOf } from './Order';

/** The ids every order event carries. */
export const orderRef = (order: OrderRecord) => ({
  orderId: order.orderId,
  channel: order.channel,
  account: order.account,
});

/**
 * SendCloud's tracking URL carries the recipient's postal code (`verification`, and for service points
 * `servicepoint_verification`) so that the page shows the full journey. Events promise no address data:
 * they carry the page without it, which still shows the parcel's status.
 */
const VERIFICATION_PARAMETERS = ['verification', 'servicepoint_verification'] as const;

export function trackingUrlForEvents(url: string | null): string | null {
  if (url === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // not a URL we can clean: rather no link than a postal code
    return null;
  }
  for (const name of VERIFICATION_PARAMETERS) parsed.searchParams.delete(name);
  return parsed.toString();
}

export interface ParcelRefOptions {
  /**
   * Keep the postal code in the tracking URL, for an account whose subscribers are allowed address data.
   * Default false.
   */
  readonly trackingVerification?: boolean;
}

/** A parcel's position in its shipment (1 of 1 for one box). */
const colloOf = (parcel: OrderParcel) => ({
  number: parcel.colloNumber ?? 1,
  count: parcel.colloCount ?? 1,
});

/** Every parcel of the order's shipment for an order-level event, collo 1 first. */
export function colliRefs(order: OrderRecord, options: ParcelRefOptions = {}) {
  return parcelsOf(order).map((p) => ({
    parcelId: p.id,
    trackingNumber: p.trackingNumber,
    trackingUrl: options.trackingVerification ? p.trackingUrl : trackingUrlForEvents(p.trackingUrl),
    collo: colloOf(p),
  }));
}

/**
 * The ids and tracking every parcel event carries (no personal data); undefined before a parcel exists.
 * `parcel` names one collo of a multicollo shipment (default: the first).
 */
export function parcelRef(order: OrderRecord, options: ParcelRefOptions = {}, parcel?: OrderParcel) {
  const p = parcel ?? order.parcel;
  if (!p) return undefined;
  return {
    // a return's events name the order it sends back, and the return itself
    ...(order.isReturn && order.returnOf
      ? {
          orderId: order.returnOf.orderId,
          channel: order.returnOf.channel,
          account: order.account,
          returnId: order.orderId,
        }
      : orderRef(order)),
    parcelId: p.id,
    carrier: p.carrier,
    shippingMethodId: p.api === 'v3' ? null : p.shippingMethodId,
    shippingMethod: methodRefOf(p),
    shippingMethodName: p.shippingMethodName,
    trackingNumber: p.trackingNumber,
    trackingUrl: options.trackingVerification ? p.trackingUrl : trackingUrlForEvents(p.trackingUrl),
    collo: colloOf(p),
  };
}
