import { methodRefOf, type OrderRecord } from './Order';

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

/** The ids and tracking every parcel event carries (no personal data); undefined before a parcel exists. */
export function parcelRef(order: OrderRecord, options: ParcelRefOptions = {}) {
  const p = order.parcel;
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
  };
}
