import type { OrderRecord } from './Order';

/** What `GET /orders/{orderId}` shows: status, the routing decision and why, the parcel, label links. */
export function orderView(order: OrderRecord) {
  const q = `?channel=${encodeURIComponent(order.channel)}`;
  const base = `/orders/${encodeURIComponent(order.orderId)}`;
  const p = order.parcel;
  return {
    orderId: order.orderId,
    channel: order.channel,
    account: order.account,
    status: order.status,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    destination: order.spec.toCountry,
    serviceLevel: order.spec.serviceLevel,
    delivery: order.spec.delivery,
    routing: order.routing
      ? {
          ruleSet: order.routing.ruleSet,
          rule: order.routing.rule,
          choice: order.routing.choice,
          fallbacks: order.routing.ranked.slice(1),
          refusedMethods: order.refusedMethods ?? {},
          chargeableWeightGrams: order.routing.chargeableWeightGrams,
          volumetricWeightGrams: order.routing.volumetricWeightGrams,
          trace: order.routing.trace,
        }
      : null,
    parcels: p
      ? [
          {
            sendcloudId: p.id,
            externalReference: p.externalReference,
            carrier: p.carrier,
            shippingMethod: { id: p.shippingMethodId, name: p.shippingMethodName },
            trackingNumber: p.trackingNumber,
            trackingUrl: p.trackingUrl,
            status: { id: p.statusId, message: p.statusMessage },
            announcedAt: p.announcedAt,
            history: [],
            labels: Object.fromEntries(
              (['a6', 'a4', 'zpl'] as const).map((format) => [
                format,
                {
                  href: `${base}/label${q}&format=${format}`,
                  stored: Boolean(order.labels?.[format as 'a6' | 'zpl']),
                },
              ]),
            ),
          },
        ]
      : [],
    failure: order.failure ?? null,
    links: { self: `${base}${q}`, label: `${base}/label${q}` },
  };
}
