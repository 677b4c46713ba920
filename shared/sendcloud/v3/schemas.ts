import * as z from 'zod';

/**
 * Zod schemas for every v3 response the adapter reads, after SendCloud's OpenAPI documents
 * (test/fixtures/specs/v3). They are loose where the documents' own examples are (nulls, numbers as
 * strings) and keep unknown fields; they require only what the adapter uses.
 */

const Text = z.string().nullish();
/** Weights and prices come as strings in shipments and as numbers in returns. */
const Amount = z.union([z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal'), z.number()]);

/** One JSON:API error (`{status, code, detail, source}`), or a returns error (`{field, code, message}`). */
export const ErrorObject = z.looseObject({
  status: z.union([z.string(), z.number()]).nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
  title: Text,
  detail: Text,
  message: Text,
  field: Text,
  source: z.looseObject({ pointer: Text, parameter: Text, header: Text }).nullish(),
});
export type ErrorObject = z.infer<typeof ErrorObject>;

/** The error bodies v3 hosts send: JSON:API, the returns' v2-style `error`, OAuth2's `error` string. */
export const JsonApiErrors = z.looseObject({ errors: z.array(ErrorObject) });
export const LegacyError = z.looseObject({
  error: z.looseObject({ code: z.union([z.string(), z.number()]).nullish(), message: z.string() }),
});
export const OAuth2Error = z.looseObject({ error: z.string(), error_description: Text });
export const MessageError = z.looseObject({ message: z.string() });

export const ParcelStatus = z.looseObject({ code: z.string().min(1), message: Text });

export const Parcel = z.looseObject({
  id: z.number().int().positive(),
  status: ParcelStatus,
  tracking_number: Text,
  tracking_url: Text,
  created_at: Text,
  updated_at: Text,
  announced_at: Text,
});
export type Parcel = z.infer<typeof Parcel>;

export const Shipment = z.looseObject({
  id: z.string().min(1),
  external_reference_id: Text,
  order_number: Text,
  parcels: z.array(Parcel),
  carrier: z.looseObject({ code: z.string(), name: Text }).nullish(),
  ship_with: z
    .looseObject({
      type: z.string(),
      properties: z
        .looseObject({ shipping_option_code: Text, contract_id: z.number().int().nullish() })
        .nullish(),
    })
    .nullish(),
  errors: z.array(ErrorObject).nullish(),
});
export type Shipment = z.infer<typeof Shipment>;

export const ShipmentEnvelope = z.looseObject({ data: Shipment });
/** The documents say `minItems: 1`; an empty list is read as "none" all the same. */
export const ShipmentList = z.looseObject({ data: z.array(Shipment) });

/** The 409 of a reused `external_reference_id` returns "the associated object": enveloped or bare. */
export const ExistingShipment = z.union([ShipmentEnvelope.transform((body) => body.data), Shipment]);

export const CancelStatus = z.looseObject({
  data: z.looseObject({ status: z.string(), message: z.string() }),
});

export const ReturnPortalUrl = z.looseObject({ data: z.looseObject({ url: z.string() }) });

export const Token = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  token_type: z.string().optional(),
});

/** A sender address (`GET /addresses/sender-addresses`); `"null"` strings appear in the document's example. */
export const SenderAddress = z.looseObject({
  id: z.number().int().positive(),
  name: Text,
  company_name: Text,
  address_line_1: Text,
  house_number: Text,
  address_line_2: Text,
  postal_code: Text,
  city: Text,
  state_province_code: Text,
  country_code: z.string().length(2),
  email: Text,
  phone_number: Text,
});
export type SenderAddress = z.infer<typeof SenderAddress>;
export const SenderAddresses = z.looseObject({ data: z.array(SenderAddress) });

const Weight = z.looseObject({ value: Amount, unit: z.enum(['kg', 'g', 'lbs', 'oz']) });
export type Weight = z.infer<typeof Weight>;
const WeightRange = z.looseObject({ min: Weight.nullish(), max: Weight.nullish() });

export const ShippingOption = z.looseObject({
  code: z.string().min(1),
  name: z.string(),
  carrier: z.looseObject({ code: z.string(), name: Text }),
  functionalities: z.record(z.string(), z.unknown()).nullish(),
  weight: WeightRange.nullish(),
  contract: z.looseObject({ id: z.number().int() }).nullish(),
  requirements: z
    .looseObject({
      is_service_point_required: z.boolean().nullish(),
      export_documents: z.boolean().nullish(),
    })
    .nullish(),
  quotes: z
    .array(
      z.looseObject({
        weight: WeightRange.nullish(),
        price: z
          .looseObject({ total: z.looseObject({ value: Amount.nullish(), currency: Text }).nullish() })
          .nullish(),
      }),
    )
    .nullish(),
});
export type ShippingOption = z.infer<typeof ShippingOption>;

export const ShippingOptions = z.looseObject({ data: z.array(ShippingOption) });

/** `{"data":{"8":"postnl:standard","9":null}}`; the documents' own example also shows the string "null". */
export const CompatShippingOptions = z.looseObject({ data: z.record(z.string(), z.string().nullable()) });

export const ReturnCreated = z.looseObject({
  return_id: z.number().int().positive(),
  parcel_id: z.number().int().positive(),
  multi_collo_ids: z.array(z.number().int()).nullish(),
});

/**
 * A return. The documents give it no `id`, `parcel_id` or `external_reference`; they are read when present.
 * The parcel id is otherwise in the label links (`/parcels/{id}/documents/label`).
 */
export const Return = z.looseObject({
  id: z.number().int().positive().optional(),
  parcel_id: z.number().int().positive().optional(),
  external_reference: Text,
  created_at: z.string(),
  order_number: Text,
  tracking_number: Text,
  tracking_url: Text,
  is_cancellable: z.boolean().nullish(),
  label: z.looseObject({ label_printer: Text, normal_printer: z.array(z.string()).nullish() }).nullish(),
  label_url: Text,
  label_cost: z.looseObject({ value: Amount.nullish(), currency: Text }).nullish(),
  delivered_at: z.number().nullish(),
  delivered_at_iso: Text,
  refund: z.unknown().optional(),
  status_history: z
    .array(z.looseObject({ carrier_update_timestamp: Text, parent_status: Text, carrier_message: Text }))
    .nullish(),
  shipping_option: z.looseObject({ code: Text }).nullish(),
  from_address: z.looseObject({ postal_code: Text, country_code: Text }).nullish(),
  errors: z.array(ErrorObject).nullish(),
});
export type Return = z.infer<typeof Return>;

export const ReturnList = z.looseObject({ next: Text, previous: Text, data: z.array(Return) });
