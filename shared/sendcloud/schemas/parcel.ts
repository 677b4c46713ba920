import * as z from '../../validation/zod';
import { CountryRef, KgString, NullableString, PageLink, SendcloudDate } from './common';

// ---- Requests ---------------------------------------------------------------------------------------

export const ParcelItemCreation = z.object({
  description: z.string().check(z.minLength(1), z.maxLength(255)),
  quantity: z.number().check(z.int(), z.gte(1)),
  /** kg per single item */
  weight: z.string(),
  /** per item, in the order currency */
  value: z.number().check(z.nonnegative()),
  hs_code: z.string().check(z.maxLength(12)),
  origin_country: z.optional(z.string().check(z.length(2))),
  sku: z.optional(z.string()),
  product_id: z.optional(z.string()),
  return_reason: z.optional(z.number().check(z.int())),
  return_message: z.optional(z.string()),
});
export type ParcelItemCreation = z.infer<typeof ParcelItemCreation>;

/** A tax or identification number on customs papers (REFERENCE §3: `{name, country_code, value}`). */
const TaxNumberWire = z.object({
  name: z.string(),
  country_code: z.string().check(z.length(2)),
  value: z.string(),
});

export const CustomsInformation = z.object({
  customs_invoice_nr: z.string().check(z.minLength(1)),
  customs_shipment_type: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  export_type: z.optional(z.enum(['private', 'commercial_b2c', 'commercial_b2b'])),
  invoice_date: z.optional(z.string()),
  tax_numbers: z.optional(
    z.object({
      sender: z.array(TaxNumberWire),
      receiver: z.array(TaxNumberWire),
      importer_of_record: z.array(TaxNumberWire),
    }),
  ),
  importer_of_record: z.optional(
    z.object({
      name: z.string().check(z.minLength(1)),
      company_name: z.optional(z.string()),
      address_1: z.string().check(z.minLength(1)),
      address_2: z.optional(z.string()),
      house_number: z.optional(z.string()),
      city: z.string().check(z.minLength(1)),
      postal_code: z.string().check(z.minLength(1)),
      country_code: z.string().check(z.length(2)),
      country_state: z.optional(z.string()),
      telephone: z.optional(z.string()),
      email: z.optional(z.string()),
    }),
  ),
});
export type CustomsInformation = z.infer<typeof CustomsInformation>;

/** `ParcelCreation` as SendCloud v2 takes it on POST/PUT /parcels (wire format, kg strings). */
export const ParcelCreation = z.object({
  id: z.optional(z.number().check(z.int())),
  name: z.string().check(z.minLength(1)),
  company_name: z.optional(z.string()),
  address: z.string().check(z.minLength(1)),
  house_number: z.optional(z.string()),
  address_2: z.optional(z.string()),
  city: z.string().check(z.minLength(1)),
  postal_code: z.string().check(z.minLength(1)),
  country: z.string().check(z.length(2)),
  country_state: z.optional(z.string()),
  telephone: z.optional(z.string()),
  email: z.optional(z.string()),
  weight: z.optional(z.string()),
  length: z.optional(z.string()),
  width: z.optional(z.string()),
  height: z.optional(z.string()),
  shipment: z.optional(z.object({ id: z.number().check(z.int()), name: z.optional(z.string()) })),
  request_label: z.optional(z.boolean()),
  request_label_async: z.optional(z.boolean()),
  apply_shipping_rules: z.optional(z.boolean()),
  sender_address: z.optional(z.number().check(z.int())),
  contract: z.optional(z.number().check(z.int())),
  to_service_point: z.optional(z.number().check(z.int())),
  to_post_number: z.optional(z.string()),
  order_number: z.optional(z.string()),
  external_reference: z.optional(z.string()),
  reference: z.optional(z.string()),
  insured_value: z.optional(z.number().check(z.int())),
  total_insured_value: z.optional(z.number().check(z.int())),
  total_order_value: z.optional(z.string()),
  total_order_value_currency: z.optional(z.string().check(z.length(3))),
  quantity: z.optional(z.number().check(z.int(), z.gte(1), z.lte(20))),
  shipping_method_checkout_name: z.optional(z.string()),
  is_return: z.optional(z.boolean()),
  from_name: z.optional(z.string()),
  from_company_name: z.optional(z.string()),
  from_address_1: z.optional(z.string()),
  from_address_2: z.optional(z.string()),
  from_house_number: z.optional(z.string()),
  from_city: z.optional(z.string()),
  from_postal_code: z.optional(z.string()),
  from_country: z.optional(z.string()),
  from_telephone: z.optional(z.string()),
  from_email: z.optional(z.string()),
  customs_information: z.optional(CustomsInformation),
  parcel_items: z.optional(z.array(ParcelItemCreation)),
});
export type ParcelCreation = z.infer<typeof ParcelCreation>;

// ---- Responses --------------------------------------------------------------------------------------

export const ParcelStatus = z.looseObject({ id: z.number().check(z.int()), message: z.string() });
export type ParcelStatus = z.infer<typeof ParcelStatus>;

export const LabelLinks = z.looseObject({
  normal_printer: z.optional(z.nullable(z.array(z.string()))),
  label_printer: z.optional(z.nullable(z.string())),
});

export const ParcelDocument = z.looseObject({
  type: z.string(),
  size: z.optional(z.string()),
  link: z.optional(z.string()),
});

export const ParcelItem = z.looseObject({
  description: z.string(),
  quantity: z.number().check(z.int()),
  weight: z.nullable(KgString),
  /** a 2-decimal string in real responses ("15.20"), a number in the spec */
  value: z.nullable(z.union([z.string(), z.number()])),
  hs_code: z.optional(NullableString),
  origin_country: z.optional(NullableString),
  sku: z.optional(NullableString),
  product_id: z.optional(NullableString),
});

/** Field → message(s); single creates give strings, batches give arrays. */
export const FieldErrors = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type FieldErrors = z.infer<typeof FieldErrors>;

/** Centimetres: a string in v2 responses, a number in some mocks, `false` in Odoo's recorded webhooks. */
const Dimension = z.optional(z.nullable(z.union([z.string(), z.number(), z.literal(false)])));

export const Parcel = z.looseObject({
  id: z.number().check(z.int()),
  name: z.string(),
  company_name: z.optional(NullableString),
  address: z.string(),
  address_2: z.optional(NullableString),
  address_divided: z.optional(
    z.looseObject({ street: z.optional(NullableString), house_number: z.optional(NullableString) }),
  ),
  house_number: z.optional(NullableString),
  city: z.string(),
  postal_code: z.string(),
  country: CountryRef,
  telephone: z.optional(NullableString),
  email: z.optional(NullableString),
  date_created: SendcloudDate,
  date_updated: z.optional(SendcloudDate),
  date_announced: z.optional(z.nullable(SendcloudDate)),
  /** "" until announced; absent from some older responses */
  tracking_number: z.optional(z.string()),
  tracking_url: z.optional(NullableString),
  weight: KgString,
  length: Dimension,
  width: Dimension,
  height: Dimension,
  label: z.optional(z.nullable(LabelLinks)),
  documents: z.optional(z.array(ParcelDocument)),
  status: ParcelStatus,
  shipment: z.optional(
    z.nullable(z.looseObject({ id: z.number().check(z.int()), name: z.optional(NullableString) })),
  ),
  shipping_method: z.optional(z.nullable(z.number().check(z.int()))),
  carrier: z.optional(z.nullable(z.looseObject({ code: z.string() }))),
  order_number: z.optional(NullableString),
  reference: z.optional(NullableString),
  external_reference: z.optional(NullableString),
  external_order_id: z.optional(NullableString),
  external_shipment_id: z.optional(NullableString),
  shipment_uuid: z.optional(NullableString),
  /** an integer in real data, a string in the spec */
  to_service_point: z.optional(z.nullable(z.union([z.number().check(z.int()), z.string()]))),
  to_post_number: z.optional(NullableString),
  to_state: z.optional(NullableString),
  total_order_value: z.optional(NullableString),
  total_order_value_currency: z.optional(NullableString),
  insured_value: z.optional(z.nullable(z.number())),
  total_insured_value: z.optional(z.nullable(z.number())),
  is_return: z.optional(z.boolean()),
  contract: z.optional(z.nullable(z.number().check(z.int()))),
  parcel_items: z.optional(z.array(ParcelItem)),
  customs_invoice_nr: z.optional(NullableString),
  customs_shipment_type: z.optional(z.nullable(z.number().check(z.int()))),
  colli_uuid: z.optional(NullableString),
  collo_nr: z.optional(z.number().check(z.int())),
  collo_count: z.optional(z.number().check(z.int())),
  shipping_method_checkout_name: z.optional(NullableString),
  errors: z.optional(FieldErrors),
});
export type Parcel = z.infer<typeof Parcel>;

export const ParcelEnvelope = z.looseObject({ parcel: Parcel });
export const ParcelsEnvelope = z.looseObject({ parcels: z.array(Parcel) });

/** `POST /parcels?errors=verbose…` → valid parcels in `parcels`, refused ones in `failed_parcels`. */
export const VerboseBatchResponse = z.looseObject({
  parcels: z.array(Parcel),
  failed_parcels: z._default(
    z.optional(z.array(z.looseObject({ parcel: z.record(z.string(), z.unknown()), errors: FieldErrors }))),
    [],
  ),
});
export type VerboseBatchResponse = z.infer<typeof VerboseBatchResponse>;

export const ParcelList = z.looseObject({ next: PageLink, previous: PageLink, parcels: z.array(Parcel) });
export type ParcelList = z.infer<typeof ParcelList>;

/** The cancel endpoint's own shape: `{"status":"cancelled|queued|failed|deleted","message":…}`. */
export const CancelBody = z.looseObject({ status: z.string(), message: z.string() });
