import type { AnnounceOutcome, SendcloudReturn, Shipment, ShippedParcel, StatusObservation } from '../port';
import { v3MethodRef } from '../port';
import { describeErrors, detailOf } from './errors';
import type { Return, Shipment as V3Shipment } from './schemas';
import { shipmentState, statusFromLabel, statusFromV3 } from './statuses';

/** v3 wire objects → the port's types. */
export function toShipment(shipment: V3Shipment): Shipment {
  const parcels = shipment.parcels.map(
    (parcel, i): ShippedParcel => ({
      id: parcel.id,
      trackingNumber: parcel.tracking_number || null,
      trackingUrl: parcel.tracking_url || null,
      status: statusFromV3(parcel.status.code, parcel.status.message),
      colloNumber: i + 1,
      updatedAt: parcel.updated_at ?? undefined,
      externalReference: shipment.external_reference_id ?? null,
    }),
  );
  const option = shipment.ship_with?.properties?.shipping_option_code;
  const state = shipmentState(parcels.map((parcel) => parcel.status));
  const errors = (shipment.errors ?? []).map(detailOf);
  return {
    id: shipment.id,
    externalReference: shipment.external_reference_id ?? null,
    parcels,
    carrier: shipment.carrier?.code ?? carrierOf(option),
    method: option ? v3MethodRef(option, shipment.ship_with?.properties?.contract_id) : null,
    methodName: null,
    state,
    ...(state === 'refused'
      ? {
          refusal:
            errors.length > 0
              ? describeErrors(errors)
              : (parcels.find((p) => p.status.code === 'ANNOUNCEMENT_FAILED')?.status.message ??
                'announcement failed'),
        }
      : {}),
  };
}

/** What an announce ends with, given the shipment SendCloud holds. */
export function outcomeOf(shipment: Shipment, reconciled: boolean): AnnounceOutcome {
  switch (shipment.state) {
    case 'refused':
      return { outcome: 'carrier_refused', reason: shipment.refusal ?? 'announcement failed', shipment };
    case 'cancelled':
      // The reference is used up; announcing needs a new one (the caller's decision, not a retry).
      return {
        outcome: 'rejected',
        reason: `external reference ${shipment.externalReference ?? ''} belongs to a cancelled shipment ${shipment.id}`,
      };
    default:
      return { outcome: 'announced', shipment, reconciled };
  }
}

/**
 * A return as a `Shipment` (id = the return id). The document gives a return no parcel status, only a
 * `status_history` of `parent_status` labels: the newest one that our table knows is used; otherwise
 * carrier errors read as refused, a tracking number as ready to send, anything else as being announced.
 */
export function returnToShipment(
  ret: Return,
  ids: { readonly returnId: number; readonly parcelId: number },
  externalReference: string,
): Shipment {
  const errors = (ret.errors ?? []).map(detailOf);
  const status = returnStatus(ret, errors.length > 0);
  const option = ret.shipping_option?.code;
  const state = shipmentState([status]);
  return {
    id: String(ids.returnId),
    externalReference,
    parcels: [
      {
        id: ids.parcelId,
        trackingNumber: ret.tracking_number || null,
        trackingUrl: ret.tracking_url || null,
        status,
        colloNumber: 1,
        externalReference,
      },
    ],
    carrier: carrierOf(option),
    method: option ? v3MethodRef(option) : null,
    methodName: null,
    state,
    ...(state === 'refused' ? { refusal: errors.length > 0 ? describeErrors(errors) : status.message } : {}),
  };
}

export function toSendcloudReturn(ret: Return, id: number | null): SendcloudReturn {
  const status = latestKnownStatus(ret);
  const cost = ret.label_cost;
  return {
    id,
    createdAt: ret.created_at,
    parcelId: returnParcelId(ret) ?? null,
    trackingNumber: ret.tracking_number || null,
    parcelStatus: status ? { id: status.id, message: status.message } : null,
    deliveredAt:
      ret.delivered_at_iso ??
      (typeof ret.delivered_at === 'number' ? new Date(ret.delivered_at).toISOString() : null),
    refund: ret.refund ?? null,
    isCancellable: ret.is_cancellable ?? null,
    labelCost:
      cost && cost.value !== null && cost.value !== undefined
        ? { amount: Number(cost.value), currency: cost.currency ?? null }
        : null,
  };
}

/** `parcel_id` when SendCloud sends it, else the id in the label links (`/parcels/{id}/documents/label`). */
export function returnParcelId(ret: Return): number | undefined {
  if (ret.parcel_id) return ret.parcel_id;
  for (const link of [ret.label?.label_printer, ...(ret.label?.normal_printer ?? []), ret.label_url]) {
    const match = link ? /\/parcels\/(\d+)\/documents\//.exec(link) : null;
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
}

function returnStatus(ret: Return, hasErrors: boolean): StatusObservation {
  return (
    latestKnownStatus(ret) ??
    (hasErrors
      ? statusFromV3('ANNOUNCEMENT_FAILED')
      : ret.tracking_number
        ? statusFromV3('READY_TO_SEND')
        : statusFromV3('ANNOUNCING'))
  );
}

function latestKnownStatus(ret: Return): StatusObservation | undefined {
  const history = [...(ret.status_history ?? [])].sort((a, b) =>
    (a.carrier_update_timestamp ?? '').localeCompare(b.carrier_update_timestamp ?? ''),
  );
  for (const entry of history.reverse()) {
    const status = statusFromLabel(entry.parent_status);
    if (status) return status;
  }
  return undefined;
}

/** `postnl:standard/signature` → `postnl`. */
function carrierOf(optionCode: string | null | undefined): string | null {
  return optionCode ? (optionCode.split(':')[0] ?? null) : null;
}
