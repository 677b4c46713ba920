import type { HistoryEntry } from '../store/TrackingStore';
import { hasCarrierScan } from '../tracking/normalizedStatus';
import { needsCustomsDocument } from './needsCustomsDocument';
import { methodRefOf, type OrderRecord, parcelsOf } from './Order';

/**
 * The status an order shows: its processing status until the parcel ships, then its tracking status (the
 * order follows its parcel). A cancelled order shows `cancelled` whatever tracking said before; one whose
 * cancel SendCloud queued shows `cancellation_requested` until tracking moves on (1999/2001 → 2000 Cancelled,
 * or 94 if the cancel failed).
 */
export function shownStatus(order: OrderRecord): string {
  if (order.status === 'cancelled') return 'cancelled';
  if (order.status === 'cancellation_requested')
    return order.tracking && hasCarrierScan(order.tracking.status)
      ? order.tracking.status
      : 'cancellation_requested';
  return order.tracking ? order.tracking.status : order.status;
}

/** What `GET /orders/{orderId}` shows: status, the routing decision and why, the parcel, its documents and links. */
export function orderView(
  order: OrderRecord,
  /** Each parcel's status history by SendCloud parcel id. */
  histories: ReadonlyMap<number, readonly HistoryEntry[]> = new Map(),
) {
  const q = `?channel=${encodeURIComponent(order.channel)}`;
  const base = `/orders/${encodeURIComponent(order.orderId)}`;
  const colli = parcelsOf(order);
  return {
    orderId: order.orderId,
    channel: order.channel,
    account: order.account,
    /** Processing status until the parcel ships, then its tracking status (the order follows its parcel). */
    status: shownStatus(order),
    processing: order.status,
    generation: order.generation ?? 1,
    previous: order.previous ?? [],
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
          /** `per_parcel`: each box is a shipment of its own (no method carries them as one). */
          shipments: order.routing.shipments ?? 'one',
          chargeableWeightGrams: order.routing.chargeableWeightGrams,
          volumetricWeightGrams: order.routing.volumetricWeightGrams,
          trace: order.routing.trace,
        }
      : null,
    /** Every parcel of the shipment, collo 1 first; the label (one file) has a page for each. */
    parcels: colli.map((p, i) => {
      const tracking = i === 0 ? order.tracking : order.colliTracking?.[String(p.id)];
      const history = histories.get(p.id) ?? [];
      return {
        sendcloudId: p.id,
        collo: { number: p.colloNumber ?? 1, count: p.colloCount ?? 1 },
        externalReference: p.externalReference,
        carrier: p.carrier,
        shippingMethod: {
          id: p.api === 'v3' ? null : p.shippingMethodId,
          ref: methodRefOf(p),
          name: p.shippingMethodName,
        },
        api: p.api ?? 'v2',
        ...(p.shipmentId ? { shipmentId: p.shipmentId } : {}),
        trackingNumber: p.trackingNumber,
        trackingUrl: p.trackingUrl,
        status: tracking
          ? { id: tracking.statusId, message: tracking.message, normalized: tracking.status }
          : { id: p.statusId, message: p.statusMessage, normalized: 'announced' },
        announcedAt: p.announcedAt,
        history: history.map((h) => ({
          sendcloudStatus: { id: h.statusId, message: h.message },
          status: h.status,
          carrierTimestamp: h.carrierTimestamp === null ? null : new Date(h.carrierTimestamp).toISOString(),
          occurredAt: new Date(h.ts).toISOString(),
          receivedAt: h.receivedAt,
          source: h.source,
          // Kept for the record, never applied: too old, in the future, before the parcel, or leaving a final status.
          ...(h.implausible ? { implausible: h.implausible } : {}),
        })),
        // One file for the shipment: every collo's label in it, a page (or ZPL label) each.
        labels: Object.fromEntries(
          (['a6', 'a4', 'zpl'] as const).map((format) => [
            format,
            {
              href: `${base}/label${q}&format=${format}`,
              stored: Boolean(order.labels?.[format as 'a6' | 'zpl']),
            },
          ]),
        ),
        documents: [
          ...(order.labels?.a6 ? (['label'] as const) : []),
          ...(order.customsDocument ? (['customs'] as const) : []),
        ],
        customsDocument: needsCustomsDocument(order)
          ? { href: `${base}/documents/customs${q}`, stored: Boolean(order.customsDocument) }
          : null,
      };
    }),
    failure: order.failure ?? null,
    cancellation: order.cancellation ?? null,
    returns: (order.returnIds ?? []).map((returnId) => ({
      returnId,
      links: {
        self: `/returns/${encodeURIComponent(returnId)}`,
        label: `/returns/${encodeURIComponent(returnId)}/label`,
      },
    })),
    links: { self: `${base}${q}`, label: `${base}/label${q}` },
  };
}
