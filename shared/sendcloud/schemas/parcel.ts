import * as z from 'zod';
import { CountryRef, KgString, NullableString, PageLink, SendcloudDate } from './common';

// ---- Requests ---------------------------------------------------------------------------------------

export const ParcelItemCreation = z.object({
  description: z.string().min(1).max(255),
  quantity: z.number().int().min(1),
  /** kg per single item */
  weight: z.string(),
  /** per item, in the order currency */
  value: z.number().nonnegative(),
  hs_code: z.string().max(12),
  origin_country: z.string().length(2).optional(),
  sku: z.string().optional(),
  product_id: z.string().optional(),
  return_reason: z.number().int().optional(),
  return_message: z.string().optional(),
});
export type ParcelItemCreation = z.infer<typeof ParcelItemCreation>;

/** A tax or identification number on customs papers (REFERENCE §3: `{name, country_code, value}`). */
const TaxNumberWire = z.object({ name: z.string(), country_code: z.string().length(2), value: z.string() });

export const CustomsInformation = z.object({
  customs_invoice_nr: z.string().min(1),
  customs_shipment_type: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  export_type: z.enum(['private', 'commercial_b2c', 'commercial_b2b']).optional(),
  invoice_date: z.string().optional(),
  tax_numbers: z
    .object({
      sender: z.array(TaxNumberWire),
      receiver: z.array(TaxNumberWire),
      importer_of_record: z.array(TaxNumberWire),
    })
    .optional(),
  importer_of_record: z
    .object({
      name: z.string().min(1),
      company_name: z.string().optional(),
      address_1: z.string().min(1),
      address_2: z.string().optional(),
      house_number: z.string().optional(),
      city: z.string().min(1),
      postal_code: z.string().min(1),
      country_code: z.string().length(2),
      country_state: z.string().optional(),
      telephone: z.string().optional(),
      email: z.string().optional(),
    })
    .optional(),
});
export type CustomsInformation = z.infer<typeof CustomsInformation>;

/** `ParcelCreation` as SendCloud v2 takes it on POST/PUT /parcels (wire format, kg strings). */
export const ParcelCreation = z.object({
  id: z.number().int().optional(),
  name: z.string().min(1),
  company_name: z.string().optional(),
  address: z.string().min(1),
  house_number: z.string().optional(),
  address_2: z.string().optional(),
  city: z.string().min(1),
  postal_code: z.string().min(1),
  country: z.string().length(2),
  country_state: z.string().optional(),
  telephone: z.string().optional(),
  email: z.string().optional(),
  weight: z.string().optional(),
  length: z.string().optional(),
  width: z.string().optional(),
  height: z.string().optional(),
  shipment: z.object({ id: z.number().int(), name: z.string().optional() }).optional(),
  request_label: z.boolean().optional(),
  request_label_async: z.boolean().optional(),
  apply_shipping_rules: z.boolean().optional(),
  sender_address: z.number().int().optional(),
  contract: z.number().int().optional(),
  to_service_point: z.number().int().optional(),
  to_post_number: z.string().optional(),
  order_number: z.string().optional(),
  external_reference: z.string().optional(),
  reference: z.string().optional(),
  insured_value: z.number().int().optional(),
  total_insured_value: z.number().int().optional(),
  total_order_value: z.string().optional(),
  total_order_value_currency: z.string().length(3).optional(),
  quantity: z.number().int().min(1).max(20).optional(),
  shipping_method_checkout_name: z.string().optional(),
  is_return: z.boolean().optional(),
  from_name: z.string().optional(),
  from_company_name: z.string().optional(),
  from_address_1: z.string().optional(),
  from_address_2: z.string().optional(),
  from_house_number: z.string().optional(),
  from_city: z.string().optional(),
  from_postal_code: z.string().optional(),
  from_country: z.string().optional(),
  from_telephone: z.string().optional(),
  from_email: z.string().optional(),
  customs_information: CustomsInformation.optional(),
  parcel_items: z.array(ParcelItemCreation).optional(),
});
export type ParcelCreation = z.infer<typeof ParcelCreation>;

// ---- Responses --------------------------------------------------------------------------------------

export const ParcelStatus = z.looseObject({ id: z.number().int(), message: z.string() });
export type ParcelStatus = z.infer<typeof ParcelStatus>;

export const LabelLinks = z.looseObject({
  normal_printer: z.array(z.string()).nullable().optional(),
  label_printer: z.string().nullable().optional(),
});

export const ParcelDocument = z.looseObject({
  type: z.string(),
  size: z.string().optional(),
  link: z.string().optional(),
});

export const ParcelItem = z.looseObject({
  description: z.string(),
  quantity: z.number().int(),
  weight: KgString.nullable(),
  /** a 2-decimal string in real responses ("15.20"), a number in the spec */
  value: z.union([z.string(), z.number()]).nullable(),
  hs_code: NullableString.optional(),
  origin_country: NullableString.optional(),
  sku: NullableString.optional(),
  product_id: NullableString.optional(),
});

/** Field → message(s); single creates give strings, batches give arrays. */
export const FieldErrors = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
export type FieldErrors = z.infer<typeof FieldErrors>;

/** Centimetres: a string in v2 responses, a number in some mocks, `false` in Odoo's recorded webhooks. */
const Dimension = z
  .union([z.string(), z.number(), z.literal(false)])
  .nullable()
  .optional();

export const Parcel = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  company_name: NullableString.optional(),
  address: z.string(),
  address_2: NullableString.optional(),
  address_divided: z
    .looseObject({ street: NullableString.optional(), house_number: NullableString.optional() })
    .optional(),
  house_number: NullableString.optional(),
  city: z.string(),
  postal_code: z.string(),
  country: CountryRef,
  telephone: NullableString.optional(),
  email: NullableString.optional(),
  date_created: SendcloudDate,
  date_updated: SendcloudDate.optional(),
  date_announced: SendcloudDate.nullable().optional(),
  /** "" until announced; absent from some older responses */
  tracking_number: z.string().optional(),
  tracking_url: NullableString.optional(),
  weight: KgString,
  length: Dimension,
  width: Dimension,
  height: Dimension,
  label: LabelLinks.nullable().optional(),
  documents: z.array(ParcelDocument).optional(),
  status: ParcelStatus,
  shipment: z.looseObject({ id: z.number().int(), name: NullableString.optional() }).nullable().optional(),
  shipping_method: z.number().int().nullable().optional(),
  carrier: z.looseObject({ code: z.string() }).nullable().optional(),
  order_number: NullableString.optional(),
  reference: NullableString.optional(),
  external_reference: NullableString.optional(),
  external_order_id: NullableString.optional(),
  external_shipment_id: NullableString.optional(),
  shipment_uuid: NullableString.optional(),
  /** an integer in real data, a string in the spec */
  to_service_point: z.union([z.number().int(), z.string()]).nullable().optional(),
  to_post_number: NullableString.optional(),
  to_state: NullableString.optional(),
  total_order_value: NullableString.optional(),
  total_order_value_currency: NullableString.optional(),
  insured_value: z.number().nullable().optional(),
  total_insured_value: z.number().nullable().optional(),
  is_return: z.boolean().optional(),
  contract: z.number().int().nullable().optional(),
  parcel_items: z.array(ParcelItem).optional(),
  customs_invoice_nr: NullableString.optional(),
  customs_shipment_type: z.number().int().nullable().optional(),
  colli_uuid: NullableString.optional(),
  collo_nr: z.number().int().optional(),
  collo_count: z.number().int().optional(),
  shipping_method_checkout_name: NullableString.optional(),
  errors: FieldErrors.optional(),
});
export type Parcel = z.infer<typeof Parcel>;

export const ParcelEnvelope = z.looseObject({ parcel: Parcel });
export const ParcelsEnvelope = z.looseObject({ parcels: z.array(Parcel) });

/** `POST /parcels?errors=verbose…` → valid parcels in `parcels`, refused ones in `failed_parcels`. */
export const VerboseBatchResponse = z.looseObject({
  parcels: z.array(Parcel),
  failed_parcels: z
    .array(z.looseObject({ parcel: z.record(z.string(), z.unknown()), errors: FieldErrors }))
    .optional()
    .default([]),
});
export type VerboseBatchResponse = z.infer<typeof VerboseBatchResponse>;

export const ParcelList = z.looseObject({ next: PageLink, previous: PageLink, parcels: z.array(Parcel) });
export type ParcelList = z.infer<typeof ParcelList>;

/** The cancel endpoint's own shape: `{"status":"cancelled|queued|failed|deleted","message":…}`. */
export const CancelBody = z.looseObject({ status: z.string(), message: z.string() });
