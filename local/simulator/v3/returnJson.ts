import { parcelJson, type SimParcel } from '../parcels';
import { BEING_ANNOUNCED, DELIVERED, READY_TO_SEND } from '../statuses';
import { recipientAsV3, returnSenderAsV3 } from './addresses';
import type { V3Context } from './context';
import { hasLabel } from './labelData';
import { optionForMethod } from './options';

/** A v2 `Simulator.returns` entry: returns made through either version are listed by both. */
export interface ReturnEntry {
  readonly id: number;
  readonly parcelId: number;
  readonly accountId: string;
  readonly createdAt: Date;
}

const CANCEL_WINDOW_MS = 42 * 86_400_000;

/** Cancellable while the label is fresh and nothing moved yet (v2's cancel rules, REFERENCE.md §2.7). */
export const isCancellable = (parcel: SimParcel, now: Date): boolean =>
  [READY_TO_SEND, BEING_ANNOUNCED, 1].includes(parcel.status.id) &&
  now.getTime() - parcel.dateCreated.getTime() <= CANCEL_WINDOW_MS;

export function returnParcels(ctx: V3Context, entry: ReturnEntry): SimParcel[] {
  const ids = ctx.store.returns.get(entry.id)?.parcelIds ?? [entry.parcelId];
  return ids.map((id) => ctx.sim.parcels.get(id)).filter((p): p is SimParcel => p !== undefined);
}

/**
 * The `Return` object of S-v3returns. The parcel keeps no status history, so `status_history` holds the
 * status the return was created with and, once it moved, the current one.
 */
export function returnJson(ctx: V3Context, entry: ReturnEntry, parcels: readonly SimParcel[]) {
  const [parcel] = parcels;
  if (!parcel) return undefined;
  const request = ctx.store.returns.get(entry.id)?.request;
  const f = parcel.fields;
  const option = optionForMethod(parcel.methodId);
  const announced = hasLabel(parcel);
  const label = `${ctx.baseUrl}/parcels/${parcel.id}/documents/label`;
  const delivered = parcel.status.id === DELIVERED;
  const price = option?.method.prices[String(f.from_country)]?.[0] ?? 0;
  const history = (at: Date, message: string, n: number) => ({
    carrier_update_timestamp: at.toISOString(),
    parcel_status_history_id: String(n),
    parent_status: message,
    carrier_code: option?.method.carrier ?? 'sendcloud',
    carrier_message: message,
  });
  return {
    from_address: request?.from_address ?? returnSenderAsV3(f),
    to_address: request?.to_address ?? recipientAsV3(f),
    shipping_product: { code: option?.productCode ?? '' },
    shipping_option: { code: option?.code ?? null },
    ...(f.length === undefined || f.length === null
      ? {}
      : {
          dimensions: {
            length: Number(f.length),
            width: Number(f.width),
            height: Number(f.height),
            unit: 'cm',
          },
        }),
    weight: { value: Number(parcel.weightKg), unit: 'kg' },
    collo_count: parcels.length,
    parcel_items: request?.parcel_items ?? [],
    send_tracking_emails: request?.send_tracking_emails ?? false,
    ...(request?.brand_id ? { brand_id: request.brand_id } : {}),
    label_url: announced ? label : null,
    ...(announced
      ? { label: { label_printer: label, normal_printer: [0, 1, 2, 3].map(() => `${label}?paper_size=A4`) } }
      : {}),
    label_cost: { value: price, currency: 'EUR' },
    insurance: request?.total_insured_value !== undefined,
    tracking_number: announced ? parcel.trackingNumber : null,
    tracking_url: announced ? (parcelJson(parcel, ctx.sim.baseUrl).tracking_url ?? null) : null,
    is_cancellable: isCancellable(parcel, ctx.sim.now()),
    status_history: [
      history(
        entry.createdAt,
        parcel.dateAnnounced && parcel.dateAnnounced <= entry.createdAt ? 'Ready to send' : 'Being announced',
        1,
      ),
      ...(parcel.dateUpdated > entry.createdAt
        ? [history(parcel.dateUpdated, parcel.status.message, 2)]
        : []),
    ],
    created_at: entry.createdAt.toISOString(),
    delivered_at: delivered ? parcel.dateUpdated.getTime() : null,
    delivered_at_iso: delivered ? parcel.dateUpdated.toISOString() : null,
    order_number: typeof f.order_number === 'string' ? f.order_number : '',
    ...(typeof f.contract === 'number' ? { contract: f.contract } : {}),
    customs_invoice_nr: request?.customs_invoice_nr ?? null,
    delivery_option: request?.delivery_option ?? 'drop_off_point',
    customs_information: request?.customs_information ?? null,
    errors: [],
  };
}
