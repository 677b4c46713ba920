import * as z from '../../validation/zod';

/**
 * Zod schemas for every v3 response the adapter reads, after SendCloud's OpenAPI documents
 * (test/fixtures/specs/v3). They are loose where the documents' own examples are (nulls, numbers as
 * strings) and keep unknown fields; they require only what the adapter uses.
 */

const Text = z.nullish(z.string());
/** Weights and prices come as strings in shipments and as numbers in returns. */
const Amount = z.union([z.string().check(z.regex(/^-?\d+(\.\d+)?$/, 'a decimal')), z.number()]);

/** One JSON:API error (`{status, code, detail, source}`), or a returns error (`{field, code, message}`). */
export const ErrorObject = z.looseObject({
  status: z.nullish(z.union([z.string(), z.number()])),
  code: z.nullish(z.union([z.string(), z.number()])),
  title: Text,
  detail: Text,
  message: Text,
  field: Text,
  source: z.nullish(z.looseObject({ pointer: Text, parameter: Text, header: Text })),
});
export type ErrorObject = z.infer<typeof ErrorObject>;

/** The error bodies v3 hosts send: JSON:API, the returns' v2-style `error`, OAuth2's `error` string. */
export const JsonApiErrors = z.looseObject({ errors: z.array(ErrorObject) });
export const LegacyError = z.looseObject({
  error: z.looseObject({ code: z.nullish(z.union([z.string(), z.number()])), message: z.string() }),
});
export const OAuth2Error = z.looseObject({ error: z.string(), error_description: Text });
export const MessageError = z.looseObject({ message: z.string() });

export const ParcelStatus = z.looseObject({ code: z.string().check(z.minLength(1)), message: Text });

export const Parcel = z.looseObject({
  id: z.number().check(z.int(), z.positive()),
  status: ParcelStatus,
  tracking_number: Text,
  tracking_url: Text,
  created_at: Text,
  updated_at: Text,
  announced_at: Text,
});
export type Parcel = z.infer<typeof Parcel>;

export const Shipment = z.looseObject({
  id: z.string().check(z.minLength(1)),
  external_reference_id: Text,
  order_number: Text,
  parcels: z.array(Parcel),
  carrier: z.nullish(z.looseObject({ code: z.string(), name: Text })),
  ship_with: z.nullish(
    z.looseObject({
      type: z.string(),
      properties: z.nullish(
        z.looseObject({ shipping_option_code: Text, contract_id: z.nullish(z.number().check(z.int())) }),
      ),
    }),
  ),
  errors: z.nullish(z.array(ErrorObject)),
});
export type Shipment = z.infer<typeof Shipment>;

export const ShipmentEnvelope = z.looseObject({ data: Shipment });
/** The documents say `minItems: 1`; an empty list is read as "none" all the same. */
export const ShipmentList = z.looseObject({ data: z.array(Shipment) });

/** The 409 of a reused `external_reference_id` returns "the associated object": enveloped or bare. */
export const ExistingShipment = z.union([
  z.pipe(
    ShipmentEnvelope,
    z.transform((body) => body.data),
  ),
  Shipment,
]);

export const CancelStatus = z.looseObject({
  data: z.looseObject({ status: z.string(), message: z.string() }),
});

export const ReturnPortalUrl = z.looseObject({ data: z.looseObject({ url: z.string() }) });

export const Token = z.looseObject({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.number().check(z.int(), z.positive()),
  token_type: z.optional(z.string()),
});

/** A sender address (`GET /addresses/sender-addresses`); `"null"` strings appear in the document's example. */
export const SenderAddress = z.looseObject({
  id: z.number().check(z.int(), z.positive()),
  name: Text,
  company_name: Text,
  address_line_1: Text,
  house_number: Text,
  address_line_2: Text,
  postal_code: Text,
  city: Text,
  state_province_code: Text,
  country_code: z.string().check(z.length(2)),
  email: Text,
  phone_number: Text,
});
export type SenderAddress = z.infer<typeof SenderAddress>;
export const SenderAddresses = z.looseObject({ data: z.array(SenderAddress) });

const Weight = z.looseObject({ value: Amount, unit: z.enum(['kg', 'g', 'lbs', 'oz']) });
export type Weight = z.infer<typeof Weight>;
const WeightRange = z.looseObject({ min: z.nullish(Weight), max: z.nullish(Weight) });

export const ShippingOption = z.looseObject({
  code: z.string().check(z.minLength(1)),
  name: z.string(),
  carrier: z.looseObject({ code: z.string(), name: Text }),
  functionalities: z.nullish(z.record(z.string(), z.unknown())),
  weight: z.nullish(WeightRange),
  contract: z.nullish(z.looseObject({ id: z.number().check(z.int()) })),
  requirements: z.nullish(
    z.looseObject({
      is_service_point_required: z.nullish(z.boolean()),
      export_documents: z.nullish(z.boolean()),
    }),
  ),
  quotes: z.nullish(
    z.array(
      z.looseObject({
        weight: z.nullish(WeightRange),
        price: z.nullish(
          z.looseObject({ total: z.nullish(z.looseObject({ value: z.nullish(Amount), currency: Text })) }),
        ),
      }),
    ),
  ),
});
export type ShippingOption = z.infer<typeof ShippingOption>;

export const ShippingOptions = z.looseObject({ data: z.array(ShippingOption) });

/** `{"data":{"8":"postnl:standard","9":null}}`; the documents' own example also shows the string "null". */
export const CompatShippingOptions = z.looseObject({ data: z.record(z.string(), z.nullable(z.string())) });

export const ReturnCreated = z.looseObject({
  return_id: z.number().check(z.int(), z.positive()),
  parcel_id: z.number().check(z.int(), z.positive()),
  multi_collo_ids: z.nullish(z.array(z.number().check(z.int()))),
});

/**
 * A return. The documents give it no `id`, `parcel_id` or `external_reference`; they are read when present.
 * The parcel id is otherwise in the label links (`/parcels/{id}/documents/label`).
 */
export const Return = z.looseObject({
  id: z.optional(z.number().check(z.int(), z.positive())),
  parcel_id: z.optional(z.number().check(z.int(), z.positive())),
  external_reference: Text,
  created_at: z.string(),
  order_number: Text,
  tracking_number: Text,
  tracking_url: Text,
  is_cancellable: z.nullish(z.boolean()),
  label: z.nullish(z.looseObject({ label_printer: Text, normal_printer: z.nullish(z.array(z.string())) })),
  label_url: Text,
  label_cost: z.nullish(z.looseObject({ value: z.nullish(Amount), currency: Text })),
  delivered_at: z.nullish(z.number()),
  delivered_at_iso: Text,
  refund: z.optional(z.unknown()),
  status_history: z.nullish(
    z.array(z.looseObject({ carrier_update_timestamp: Text, parent_status: Text, carrier_message: Text })),
  ),
  shipping_option: z.nullish(z.looseObject({ code: Text })),
  from_address: z.nullish(z.looseObject({ postal_code: Text, country_code: Text })),
  errors: z.nullish(z.array(ErrorObject)),
});
export type Return = z.infer<typeof Return>;

export const ReturnList = z.looseObject({ next: Text, previous: Text, data: z.array(Return) });
