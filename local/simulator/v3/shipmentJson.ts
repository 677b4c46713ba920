import type { SimAccount } from '../accounts';
import { leavesEu } from '../customs';
import { parcelJson, type SimParcel } from '../parcels';
import { servicePointById } from '../servicePoints';
import { recipientAsV3, senderAsV3, type V3Address } from './addresses';
import type { V3Context } from './context';
import { hasLabel } from './labelData';
import { carrierJson, optionForMethod } from './options';
import type { ParcelRequest } from './shipmentRequest';
import { v3Status } from './statusCodes';
import type { Shipment, ShipmentRecord } from './store';

/**
 * A shipment as v3 renders it (`shipment-response`; with `label_details` and `label_file` for the synchronous
 * announce). Everything the shared model holds is read from the parcels, so v2-created parcels render too;
 * the v3 record adds what only v3 knew (the sender as sent, customs information, item details, errors).
 * Unset `customs_information` and `to_service_point` are null, as every example of the document shows.
 */
export interface RenderOptions {
  /** `parcelId → base64`, for `label_file` of the synchronous announce. */
  readonly labelFiles?: ReadonlyMap<number, string | null>;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
export const isOutsideEu = (parcel: SimParcel): boolean =>
  leavesEu(parcel.fields.country, parcel.fields.postal_code);

export function shipmentJson(
  ctx: V3Context,
  account: SimAccount,
  shipment: Shipment,
  options: RenderOptions = {},
): Record<string, unknown> {
  const record = ctx.store.shipments.get(shipment.id);
  const [first] = shipment.parcels;
  const f = first?.fields ?? {};
  const option = optionForMethod(first?.methodId ?? null);
  const point = typeof f.to_service_point === 'number' ? servicePointById(f.to_service_point) : undefined;
  return {
    id: shipment.id,
    to_address: recipientAsV3(f),
    from_address: shipmentSender(account, f, record),
    ship_with: {
      type: 'shipping_option_code',
      properties: {
        shipping_option_code: option?.code ?? null,
        contract_id: typeof f.contract === 'number' ? f.contract : null,
      },
    },
    order_number: text(f.order_number),
    total_order_price: f.total_order_value
      ? { value: String(f.total_order_value), currency: text(f.total_order_value_currency) || 'EUR' }
      : null,
    reference: record?.request.reference ?? null,
    external_reference_id: first?.externalReference ?? null,
    ...(record?.request.brand_id === undefined ? {} : { brand_id: record.request.brand_id }),
    customs_information: record?.request.customs_information ?? null,
    to_service_point: point ? { id: String(point.id), carrier_service_point_id: point.code } : null,
    ...(options.labelFiles
      ? {
          label_details: {
            mime_type: record?.request.label_details?.mime_type ?? 'application/pdf',
            dpi: record?.request.label_details?.dpi ?? 72,
          },
        }
      : {}),
    parcels: shipment.parcels.map((parcel) => {
      const extras = record?.request.parcels[record.parcelIds.indexOf(parcel.id)];
      const json = parcelJsonV3(ctx, parcel, extras);
      return options.labelFiles ? { ...json, label_file: options.labelFiles.get(parcel.id) ?? null } : json;
    }),
    carrier: carrierJson(option?.method.carrier ?? 'sendcloud'),
    errors: record?.errors ?? [],
  };
}

/** The sender of a shipment: as the v3 request gave it, or the saved sender address the parcel names. */
export function shipmentSender(
  account: SimAccount,
  f: Readonly<Record<string, unknown>>,
  record: ShipmentRecord | undefined,
): V3Address {
  const sent = record?.request.from_address;
  if (sent && !('sender_address_id' in sent)) return sent;
  const id = sent && 'sender_address_id' in sent ? sent.sender_address_id : f.sender_address;
  const saved = account.senderAddresses.find((a) => a.id === id) ?? account.senderAddresses[0];
  const base = saved ? senderAsV3(saved) : recipientAsV3({});
  if (!sent) return base;
  const { sender_address_id: _, ...overrides } = sent;
  const merged: V3Address = { ...base };
  for (const [key, value] of Object.entries(overrides))
    if (value !== undefined) Object.assign(merged, { [key]: value });
  return merged;
}

/** The documents a parcel has: its label, and a customs declaration when it leaves the EU. */
export function documentsOf(ctx: V3Context, parcel: SimParcel) {
  if (!hasLabel(parcel)) return [];
  const link = (type: string) => `${ctx.baseUrl}/parcels/${parcel.id}/documents/${type}`;
  return [
    { type: 'label', document_type: 'label', size: 'a6', link: link('label') },
    ...(isOutsideEu(parcel)
      ? [
          {
            type: 'cn23',
            document_type: 'customs-declaration',
            size: 'a4',
            link: link('customs-declaration'),
          },
        ]
      : []),
  ];
}

function parcelJsonV3(ctx: V3Context, parcel: SimParcel, extras: ParcelRequest | undefined) {
  const f = parcel.fields;
  const announced = hasLabel(parcel);
  const dimension = (value: unknown) => Number(value).toFixed(2);
  return {
    id: parcel.id,
    status: v3Status(parcel.status),
    documents: documentsOf(ctx, parcel),
    tracking_number: announced ? parcel.trackingNumber : '',
    tracking_url: announced ? (parcelJson(parcel, ctx.sim.baseUrl).tracking_url ?? null) : null,
    created_at: parcel.dateCreated.toISOString(),
    updated_at: parcel.dateUpdated.toISOString(),
    announced_at: parcel.dateAnnounced?.toISOString() ?? null,
    // Kilograms and centimetres whatever unit was sent: the shared model keeps v2's units.
    weight: { value: parcel.weightKg, unit: 'kg' },
    ...(f.length === undefined || f.length === null
      ? {}
      : {
          dimensions: {
            length: dimension(f.length),
            width: dimension(f.width),
            height: dimension(f.height),
            unit: 'cm',
          },
        }),
    additional_carrier_data: { awb_tracking_number: null, box_number: null },
    parcel_items: extras?.parcel_items ?? v2ItemsAsV3(f),
    ...(extras?.label_notes ? { label_notes: extras.label_notes } : {}),
    ...(extras?.package_type ? { package_type: extras.package_type } : {}),
    ...(extras?.sscc ? { sscc: extras.sscc } : {}),
    ...(extras?.additional_insured_price
      ? { additional_insured_price: extras.additional_insured_price }
      : {}),
  };
}

function v2ItemsAsV3(f: Readonly<Record<string, unknown>>) {
  const items = Array.isArray(f.parcel_items) ? (f.parcel_items as Array<Record<string, unknown>>) : [];
  const currency = text(f.total_order_value_currency) || 'EUR';
  return items.map((item) => ({
    description: text(item.description),
    quantity: Number(item.quantity),
    weight: { value: Number(item.weight), unit: 'kg' },
    price: { value: Number(item.value).toFixed(2), currency },
    hs_code: text(item.hs_code),
    ...(item.origin_country ? { origin_country: text(item.origin_country) } : {}),
    ...(item.sku ? { sku: text(item.sku) } : {}),
    ...(item.product_id ? { product_id: text(item.product_id) } : {}),
  }));
}
