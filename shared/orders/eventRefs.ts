import type { OrderRecord } from './Order';

/** The ids every order event carries. */
export const orderRef = (order: OrderRecord) => ({
  orderId: order.orderId,
  channel: order.channel,
  account: order.account,
});

/** The ids and tracking every parcel event carries (no personal data); undefined before a parcel exists. */
export function parcelRef(order: OrderRecord) {
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
    shippingMethodId: p.shippingMethodId,
    shippingMethodName: p.shippingMethodName,
    trackingNumber: p.trackingNumber,
    trackingUrl: p.trackingUrl,
  };
}
