import { createHash, randomUUID } from 'node:crypto';
import { formatSendcloudDate } from '../../shared/sendcloud/units';
import { accountMethod } from './accountCatalogue';
import type { SimAccount } from './accounts';
import { methodById, type SimMethod } from './catalogue';
import { countryByIso } from './countries';
import { customsDeclarationLinks, customsDocumentsListed } from './customs';
import type { LabelData } from './labels';
import { servicePointById } from './servicePoints';
import { ANNOUNCEMENT_FAILED, BEING_ANNOUNCED, NO_LABEL, READY_TO_SEND, status } from './statuses';

/** One parcel as the simulator keeps it; `parcelJson` renders it the way SendCloud v2 does. */
export interface SimParcel {
  readonly id: number;
  readonly accountId: string;
  readonly fields: Readonly<Record<string, unknown>>;
  weightKg: string;
  methodId: number | null;
  status: { id: number; message: string };
  trackingNumber: string;
  externalReference: string | null;
  readonly dateCreated: Date;
  dateUpdated: Date;
  dateAnnounced: Date | null;
  /** Shared by the colli of one multicollo shipment (v2 `quantity` > 1, v3 several `parcels`). */
  readonly colliUuid: string;
  readonly shipmentUuid: string;
  /** 0-based place among the shipment's colli, and how many there are (OCA parcels.json: DPD, 3 colli). */
  readonly colloNr: number;
  readonly colloCount: number;
  /**
   * The shipment's main tracking number where the carrier has one: PostNL parcels carry their first collo's
   * number, other carriers `""` — a recorded DPD multicollo shipment too (OCA parcels.json, 2022). Only the
   * webhook shows it: the 2024 `GET /parcels` recordings (BloomAndWild) no longer have the field.
   */
  colliTrackingNumber: string;
  /** ms since epoch of the last carrier scan, for `carrier_status_change_timestamp` */
  carrierChangedAt: number | null;
  errors: Record<string, string[]> | null;
}

export type FieldErrors = Record<string, string[]>;

const REQUIRED = ['name', 'address', 'city', 'postal_code', 'country'] as const;
const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const INTEGER = /^-?\d+$/;

/** `quantity`: 1–20 colli per shipment (S-v2parcels ParcelCreation.quantity). */
export const MAX_COLLI = 20;

/** The colli a draft asks for: its `quantity`, 1 when absent (validated before). */
export const colliOf = (input: Record<string, unknown>): number =>
  typeof input.quantity === 'number' && Number.isInteger(input.quantity) ? input.quantity : 1;

/**
 * The refusal of a multicollo shipment on a product that takes one collo. Unrecorded: modelled as the worst
 * case, the carrier's refusal at announcement (400 `non_field_errors`, a 1002 parcel left behind).
 */
export const multicolloRefusal = (method: SimMethod, quantity: number): string =>
  `Service error: ${method.name} does not support multicollo shipments (quantity ${quantity}); ship it as ${quantity} separate parcels or choose another shipping method.`;

/**
 * What SendCloud's serializer coerces before validating: integer fields sent as numeric strings
 * (`to_service_point: "10000"`, `customs_shipment_type: "2"`) become numbers.
 */
export function coerceParcelInput(input: Record<string, unknown>): Record<string, unknown> {
  const coerced = { ...input };
  for (const field of ['to_service_point', 'customs_shipment_type', 'sender_address', 'quantity'] as const) {
    const value = coerced[field];
    if (typeof value === 'string' && INTEGER.test(value.trim())) coerced[field] = Number(value);
  }
  return coerced;
}

/**
 * `request_label`, its documented legacy alias `requestLabel` (REFERENCE §2.1), and `requestShipment`, the
 * older name picqer-style PHP clients still send (not in any recording; SendCloud kept old names working).
 */
export const requestsLabel = (input: Record<string, unknown>): boolean =>
  input.request_label === true || input.requestLabel === true || input.requestShipment === true;

/** Sendcloud-style validation of a ParcelCreation; field → messages. Empty when valid. */
export function validateParcel(
  input: Record<string, unknown>,
  account: SimAccount,
  options: { readonly requireMethod: boolean },
): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };
  for (const field of REQUIRED) if (!str(input[field])?.trim()) add(field, 'This field is required.');
  const country = str(input.country);
  if (country && !countryByIso(country)) add('country', `"${country}" is not a valid choice.`);
  const weight = input.weight;
  if (
    weight !== undefined &&
    !(typeof weight === 'number' || (typeof weight === 'string' && /^\d+(\.\d+)?$/.test(weight)))
  ) {
    add('weight', 'A valid number is required.');
  }
  const dims = ['length', 'width', 'height'].filter((d) => input[d] !== undefined && input[d] !== null);
  if (dims.length > 0 && dims.length < 3)
    add('non_field_errors', 'length, width and height must be given together.');
  const requestLabel = requestsLabel(input) || input.request_label_async === true;
  for (const field of ['to_service_point', 'customs_shipment_type']) {
    const value = input[field];
    if (value !== undefined && value !== null && !Number.isInteger(value))
      add(field, 'A valid integer is required.');
  }
  const quantity = input.quantity;
  if (quantity !== undefined && quantity !== null) {
    if (!Number.isInteger(quantity)) add('quantity', 'A valid integer is required.');
    else if (Number(quantity) < 1) add('quantity', 'Ensure this value is greater than or equal to 1.');
    else if (Number(quantity) > MAX_COLLI)
      add('quantity', `Ensure this value is less than or equal to ${MAX_COLLI}.`);
  }
  const shipment = input.shipment as { id?: unknown } | undefined;
  const methodId = typeof shipment?.id === 'number' ? shipment.id : undefined;
  if ((requestLabel || options.requireMethod) && methodId === undefined)
    add('shipping_method', 'This field is required.');
  if (methodId !== undefined) {
    // A method the account no longer has is unknown to it, exactly like a mistyped id.
    const method = accountMethod(account, methodId);
    if (!method) add('shipping_method', `Invalid pk "${methodId}" - object does not exist.`);
    else if (country) checkMethod(method, { ...input, country }, add);
  }
  const senderAddress = input.sender_address;
  if (senderAddress !== undefined && !account.senderAddresses.some((a) => a.id === senderAddress)) {
    add('sender_address', `Invalid pk "${String(senderAddress)}" - object does not exist.`);
  }
  const destination = country ? countryByIso(country) : undefined;
  const items = Array.isArray(input.parcel_items) ? input.parcel_items : [];
  if (requestLabel && destination && !destination.eu && items.length === 0 && input.is_return !== true) {
    add('parcel_items', 'Parcel items are required for shipments outside the EU.');
  }
  items.forEach((item: Record<string, unknown>, i) => {
    for (const key of ['description', 'quantity', 'weight', 'value', 'hs_code']) {
      if (item[key] === undefined || item[key] === '')
        add(`parcel_items.${i}.${key}`, 'This field is required.');
    }
  });
  return errors;
}

function checkMethod(
  method: SimMethod,
  input: Record<string, unknown> & { country: string },
  add: (field: string, message: string) => void,
) {
  const grams = Math.round(Number(input.weight ?? '1') * 1000);
  if (grams < method.minGrams || grams > method.maxGrams) {
    add(
      'weight',
      `Weight must be between ${(method.minGrams / 1000).toFixed(3)} and ${(method.maxGrams / 1000).toFixed(3)} kg for ${method.name}.`,
    );
  }
  const destination = input.is_return === true ? (str(input.from_country) ?? input.country) : input.country;
  if (!method.prices[destination.toUpperCase()])
    add('shipment', `Shipping method ${method.name} is not available for country ${destination}.`);
  if (method.servicePoint && input.to_service_point === undefined)
    add('to_service_point', 'This shipping method requires a service point.');
  // Unrecorded, so the worst case: a point that does not exist, or another carrier's, is refused.
  if (method.servicePoint && typeof input.to_service_point === 'number') {
    const point = servicePointById(input.to_service_point);
    if (!point) add('to_service_point', `Service point ${input.to_service_point} does not exist.`);
    else if (point.carrier !== method.carrier || point.country !== input.country.toUpperCase())
      add(
        'to_service_point',
        `Service point ${input.to_service_point} is not a ${method.carrier} point in ${input.country}; ${method.name} delivers to ${method.carrier} service points only.`,
      );
  }
  if (input.is_return === true && !method.isReturn)
    add('shipment', `${method.name} is not a return shipping method.`);
}

/** "1012AB" → "1012 AB", as SendCloud normalises Dutch postcodes. */
export function normalisePostcode(postcode: string, country: string): string {
  const compact = postcode.replace(/\s+/g, '').toUpperCase();
  return country.toUpperCase() === 'NL' && /^\d{4}[A-Z]{2}$/.test(compact)
    ? `${compact.slice(0, 4)} ${compact.slice(4)}`
    : postcode.trim();
}

/** A carrier-shaped tracking number, stable for a parcel id. */
export function trackingNumberFor(carrier: string, parcelId: number): string {
  const digits = (n: number) =>
    BigInt(`0x${createHash('sha256').update(`${carrier}:${parcelId}`).digest('hex').slice(0, 24)}`)
      .toString()
      .padStart(30, '0')
      .slice(-n);
  switch (carrier) {
    case 'postnl':
      return `3SCLDB${digits(9)}`;
    case 'dhl':
      return `JVGL0${digits(19)}`;
    case 'dhl_express':
      return digits(10);
    case 'ups':
      return `1Z${createHash('sha256').update(String(parcelId)).digest('hex').slice(0, 16).toUpperCase()}`;
    case 'bpost':
      return `3232${digits(20)}`;
    case 'colissimo':
      return `6A${digits(11)}`;
    case 'sendcloud':
      return `SC${createHash('sha256').update(String(parcelId)).digest('hex').slice(0, 10).toUpperCase()}`;
    default:
      return digits(14);
  }
}

export function createParcel(
  input: Record<string, unknown>,
  account: SimAccount,
  id: number,
  now: Date,
): SimParcel {
  const country = (str(input.country) ?? '').toUpperCase();
  const shipment = input.shipment as { id?: number } | undefined;
  const weight = input.weight === undefined ? '1.000' : Number(input.weight).toFixed(3);
  return {
    id,
    accountId: account.id,
    fields: { ...input, country, postal_code: normalisePostcode(str(input.postal_code) ?? '', country) },
    weightKg: weight,
    methodId: shipment?.id ?? null,
    status: status(NO_LABEL),
    trackingNumber: '',
    externalReference: str(input.external_reference) ?? null,
    dateCreated: now,
    dateUpdated: now,
    dateAnnounced: null,
    colliUuid: randomUUID(),
    shipmentUuid: randomUUID(),
    colloNr: 0,
    colloCount: 1,
    colliTrackingNumber: '',
    carrierChangedAt: null,
    errors: null,
  };
}

/** Announces at the carrier: status 1000 (or 1001 when async), tracking number, label. */
export function announce(parcel: SimParcel, now: Date, options: { readonly async?: boolean } = {}): void {
  const method = parcel.methodId === null ? undefined : methodById(parcel.methodId);
  if (!method) return;
  parcel.status = status(options.async ? BEING_ANNOUNCED : READY_TO_SEND);
  parcel.trackingNumber = trackingNumberFor(method.carrier, parcel.id);
  parcel.dateAnnounced = options.async ? null : now;
  parcel.dateUpdated = now;
}

/** One shipment's parcels as its colli: one `colli_uuid` and shipment, `collo_nr` 0…n-1, `collo_count` n. */
export function asColli(parcels: readonly SimParcel[], shipmentUuid: string = randomUUID()): SimParcel[] {
  const colliUuid = randomUUID();
  return parcels.map((parcel, colloNr) => ({
    ...parcel,
    colliUuid,
    shipmentUuid,
    colloNr,
    colloCount: parcels.length,
  }));
}

/** Announces every collo of one shipment; PostNL colli then name the first collo's number as the shipment's. */
export function announceColli(
  colli: readonly SimParcel[],
  now: Date,
  options: { readonly async?: boolean } = {},
): void {
  for (const collo of colli) announce(collo, now, options);
  const [first] = colli;
  const method = first?.methodId === null || !first ? undefined : methodById(first.methodId);
  const main = method?.carrier === 'postnl' ? (first?.trackingNumber ?? '') : '';
  for (const collo of colli) collo.colliTrackingNumber = main;
}

export function failAnnouncement(parcel: SimParcel, now: Date, message: string): void {
  parcel.status = status(ANNOUNCEMENT_FAILED);
  parcel.trackingNumber = '';
  parcel.colliTrackingNumber = '';
  parcel.dateAnnounced = null;
  parcel.dateUpdated = now;
  parcel.errors = { non_field_errors: [message] };
}

export const isAnnounced = (parcel: SimParcel): boolean =>
  parcel.trackingNumber !== '' && parcel.status.id !== NO_LABEL;

const nullable = (value: unknown): unknown => (value === undefined || value === '' ? null : value);

/** The parcel exactly as SendCloud v2 serialises it (field set and formats from the 2024 recordings). */
export function parcelJson(parcel: SimParcel, baseUrl: string): Record<string, unknown> {
  const f = parcel.fields;
  const method = parcel.methodId === null ? undefined : methodById(parcel.methodId);
  const country = countryByIso(String(f.country)) ?? {
    iso_2: String(f.country),
    iso_3: String(f.country),
    name: String(f.country),
  };
  const announced = isAnnounced(parcel);
  const carrier = method?.carrier ?? 'sendcloud';
  const street = str(f.address) ?? '';
  const houseNumber = str(f.house_number) ?? '';
  const items = (Array.isArray(f.parcel_items) ? f.parcel_items : []).map(
    (item: Record<string, unknown>) => ({
      description: item.description,
      quantity: item.quantity,
      weight: Number(item.weight).toFixed(3),
      value: Number(item.value).toFixed(2),
      hs_code: item.hs_code ?? '',
      origin_country: item.origin_country ?? null,
      product_id: item.product_id ?? '',
      properties: item.properties ?? {},
      sku: item.sku ?? '',
      return_reason: item.return_reason ?? null,
      return_message: item.return_message ?? null,
    }),
  );
  const postal = String(f.postal_code);
  const created = parcel.dateCreated.toISOString().slice(0, 10);
  const type = method ? (method.carrier === 'sendcloud' ? 'letter' : 'parcel') : null;
  return {
    id: parcel.id,
    reference: str(f.reference) ?? '0',
    status: parcel.status,
    tracking_number: parcel.trackingNumber,
    weight: parcel.weightKg,
    order_number: str(f.order_number) ?? '',
    total_insured_value: typeof f.total_insured_value === 'number' ? f.total_insured_value : 0,
    parcel_items: items,
    documents: announced
      ? [{ type: 'label', size: 'a6' }, ...customsDocumentsListed(parcel, carrier)].map((d) => ({
          ...d,
          link: `${baseUrl}/parcels/${parcel.id}/documents/${d.type}`,
        }))
      : [],
    external_reference: parcel.externalReference,
    is_return: f.is_return === true,
    note: '',
    total_order_value: nullable(f.total_order_value),
    total_order_value_currency: nullable(f.total_order_value_currency),
    length: nullable(f.length),
    width: nullable(f.width),
    height: nullable(f.height),
    contract: f.contract ?? null,
    address: houseNumber ? `${street} ${houseNumber}` : street,
    address_2: str(f.address_2) ?? '',
    city: f.city,
    company_name: str(f.company_name) ?? '',
    country: { iso_2: country.iso_2, iso_3: country.iso_3, name: country.name },
    email: str(f.email) ?? '',
    name: f.name,
    postal_code: postal,
    telephone: str(f.telephone) ?? '',
    to_post_number: str(f.to_post_number) ?? '',
    to_service_point: typeof f.to_service_point === 'number' ? f.to_service_point : null,
    address_divided: { street, house_number: houseNumber },
    shipment: method ? { id: method.id, name: method.name } : null,
    shipping_method: method?.id ?? null,
    shipping_method_checkout_name: nullable(f.shipping_method_checkout_name),
    insured_value: typeof f.insured_value === 'number' ? f.insured_value : 0,
    // An announced Unstamped letter has none (create_parcel_request/valid_request.json, 2024).
    shipment_uuid: announced && type === 'parcel' ? parcel.shipmentUuid : null,
    data: {},
    type,
    // The colli of one shipment share it (OCA parcels.json); a single parcel's is its own id.
    external_order_id: String(parcel.colloCount > 1 ? colliOrderId(parcel) : parcel.id),
    external_shipment_id: '',
    colli_uuid: parcel.colliUuid,
    collo_nr: parcel.colloNr,
    collo_count: parcel.colloCount,
    // Recorded only on parcels whose announcement failed (BloomAndWild parcels_request, OCA parcels.json).
    ...(parcel.status.id === ANNOUNCEMENT_FAILED ? { quantity: colliOf(f) } : {}),
    label: announced
      ? {
          normal_printer: [0, 1, 2, 3].map(
            (n) => `${baseUrl}/labels/normal_printer/${parcel.id}?start_from=${n}`,
          ),
          label_printer: `${baseUrl}/labels/label_printer/${parcel.id}`,
        }
      : {},
    customs_declaration: announced ? customsDeclarationLinks(parcel, carrier, baseUrl) : {},
    to_state: nullable(f.country_state),
    date_created: formatSendcloudDate(parcel.dateCreated),
    date_announced: parcel.dateAnnounced ? formatSendcloudDate(parcel.dateAnnounced) : null,
    date_updated: formatSendcloudDate(parcel.dateUpdated),
    awb_tracking_number: null,
    box_number: null,
    // The deprecated top-level fields are kept when `customs_information` does not set them (REFERENCE §2.1).
    customs_invoice_nr:
      str((f.customs_information as Record<string, unknown> | undefined)?.customs_invoice_nr) ??
      str(f.customs_invoice_nr) ??
      '',
    customs_shipment_type:
      (f.customs_information as Record<string, unknown> | undefined)?.customs_shipment_type ??
      f.customs_shipment_type ??
      null,
    carrier: { code: method?.carrier ?? 'sendcloud' },
    ...(announced
      ? {
          tracking_url: `https://tracking.eu-central-1-0.sendcloud.sc/forward?carrier=${method?.carrier ?? 'sendcloud'}&code=${parcel.trackingNumber}&destination=${country.iso_2}&lang=en-us&source=NL&type=${type ?? 'parcel'}&verification=${encodeURIComponent(postal).replaceAll('%20', '+')}&servicepoint_verification=&created_at=${created}`,
        }
      : {}),
  };
}

/** The first collo's id: colli get consecutive ids from one request. */
const colliOrderId = (parcel: SimParcel): number => parcel.id - parcel.colloNr;

export function labelData(parcel: SimParcel, account: SimAccount): LabelData {
  const f = parcel.fields;
  const method = parcel.methodId === null ? undefined : methodById(parcel.methodId);
  const sender = account.senderAddresses.find((a) => a.id === f.sender_address) ?? account.senderAddresses[0];
  const senderLines =
    f.is_return === true
      ? [
          str(f.from_name) ?? '',
          `${str(f.from_address_1) ?? ''} ${str(f.from_house_number) ?? ''}`.trim(),
          `${str(f.from_postal_code) ?? ''} ${str(f.from_city) ?? ''}`,
        ]
      : [
          String(sender?.company_name ?? ''),
          `${String(sender?.street ?? '')} ${String(sender?.house_number ?? '')}`,
          `${String(sender?.postal_code ?? '')} ${String(sender?.city ?? '')}`,
        ];
  return {
    parcelId: parcel.id,
    trackingNumber: parcel.trackingNumber,
    carrier: method?.carrier ?? 'sendcloud',
    methodName: method?.name ?? '',
    weight: parcel.weightKg,
    orderNumber: str(f.order_number) ?? '',
    recipient: [
      str(f.name) ?? '',
      str(f.company_name) ?? '',
      `${str(f.address) ?? ''} ${str(f.house_number) ?? ''}`.trim(),
      str(f.address_2) ?? '',
      `${String(f.postal_code)} ${str(f.city) ?? ''}`,
      String(f.country),
    ].filter(Boolean),
    sender: senderLines,
    servicePointId: typeof f.to_service_point === 'number' ? f.to_service_point : null,
    isReturn: f.is_return === true,
    ...(parcel.colloCount > 1 ? { collo: `Collo ${parcel.colloNr + 1}/${parcel.colloCount}` } : {}),
  };
}
