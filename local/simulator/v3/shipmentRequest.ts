import * as z from 'zod';
import { SenderReference, V3Address } from './addresses';
import { type ErrorObject, issuesToErrors } from './errors';
import { DECIMAL, DIMENSION_UNITS, WEIGHT_UNITS } from './measures';

/**
 * The body of `POST /shipments/announce` (≤15 parcels) and `POST /shipments` (≤50), as
 * `shipment-request-sync-announce` / `shipment-request-async` define it. Objects are strict: a field the
 * document does not name is an `unknown_field` error; strings stay strings (a weight sent as a number is
 * refused, as the document types it a string).
 */
const Decimal = z.string().regex(DECIMAL, { error: 'A valid number is required.' });
const Price = z.strictObject({ value: Decimal, currency: z.string().length(3) });
const OptionalPrice = Price.nullable().optional();
const nullableText = z.string().nullable().optional();

const ParcelItem = z.strictObject({
  item_id: z.string().min(1).optional(),
  description: z.string().min(1).max(255),
  quantity: z.int().min(1),
  weight: z.strictObject({ value: z.number().positive(), unit: z.enum(WEIGHT_UNITS) }),
  price: Price,
  hs_code: z.string().max(12),
  origin_country: z.string().optional(),
  sku: z.string().optional(),
  product_id: z.string().optional(),
  mid_code: nullableText,
  material_content: nullableText,
  intended_use: nullableText,
  dangerous_goods: z.record(z.string(), z.unknown()).optional(),
  dds_reference: nullableText,
  taric_doc_code: nullableText,
  manufacturer_product_id: z.string().max(70).nullable().optional(),
  manufacturer_product_id_std: z.string().max(70).nullable().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type ParcelItem = z.infer<typeof ParcelItem>;

const PACKAGE_TYPES = [
  'package',
  'euro_pallet',
  'block_pallet',
  'mini_pallet',
  'one_way_pallet',
  'tube',
  'over_size_pallet',
  'bundle',
  'half_pallet',
  'letterbox',
] as const;

const Parcel = z.strictObject({
  dimensions: z
    .strictObject({ length: Decimal, width: Decimal, height: Decimal, unit: z.enum(DIMENSION_UNITS) })
    .optional(),
  weight: z.strictObject({ value: Decimal, unit: z.enum(WEIGHT_UNITS) }),
  additional_insured_price: OptionalPrice,
  label_notes: z.array(z.string().min(1).max(255)).max(255).nullable().optional(),
  sscc: z
    .string()
    .regex(/^\d{18}$/, { error: 'Ensure this field has exactly 18 digits.' })
    .nullable()
    .optional(),
  package_type: z.enum(PACKAGE_TYPES).nullable().optional(),
  parcel_items: z.array(ParcelItem).max(1000).optional(),
});
export type ParcelRequest = z.infer<typeof Parcel>;

const TaxNumbers = z
  .array(z.strictObject({ name: z.string(), country_code: z.string().max(2), value: z.string().max(100) }))
  .max(20);

const CustomsInformation = z.strictObject({
  invoice_number: z.string().min(1).max(40),
  export_reason: z.enum(['gift', 'documents', 'commercial_goods', 'commercial_sample']),
  export_type: z.enum(['private', 'commercial_b2c', 'commercial_b2b']).optional(),
  invoice_date: z.iso.date().optional(),
  discount_granted: OptionalPrice,
  freight_costs: OptionalPrice,
  insurance_costs: OptionalPrice,
  other_costs: OptionalPrice,
  goods_description: z.string().max(255).optional(),
  general_notes: z.string().max(500).optional(),
  additional_declaration_statements: z.array(z.string().min(1).max(1024)).max(100).optional(),
  importer_of_record: z.record(z.string(), z.unknown()).nullable().optional(),
  tax_numbers: z
    .strictObject({ sender: TaxNumbers, receiver: TaxNumbers, importer_of_record: TaxNumbers })
    .optional(),
});
export type CustomsInformation = z.infer<typeof CustomsInformation>;

export const LABEL_MIME_TYPES = ['application/pdf', 'application/zpl', 'image/png'] as const;
const DateTime = z.iso.datetime({ offset: true }).nullable().optional();

const shipmentSchema = (maxParcels: number) =>
  z.strictObject({
    brand_id: z.int().optional(),
    ship_with: z.strictObject({
      type: z.enum(['shipping_option_code']),
      properties: z.strictObject({
        shipping_option_code: z.string().nullable().optional(),
        contract_id: z.int().min(1).nullable().optional(),
      }),
    }),
    to_address: V3Address,
    // oneOf (saved sender address or a full address): checked on its own below, for clear pointers.
    from_address: z.record(z.string(), z.unknown()),
    order_number: z.string().optional(),
    total_order_price: OptionalPrice,
    reference: nullableText,
    external_reference_id: nullableText,
    validation_methods: z.array(z.enum(['here'])).optional(),
    customs_information: CustomsInformation.optional(),
    to_service_point: z
      .strictObject({ id: z.string().optional(), carrier_service_point_id: z.string().optional() })
      .optional(),
    label_details: z
      .strictObject({
        mime_type: z.enum(LABEL_MIME_TYPES).optional(),
        dpi: z.literal([72, 203, 300, 600]).optional(),
      })
      .optional(),
    delivery_dates: z.strictObject({ handover_at: DateTime, deliver_at: DateTime }).nullable().optional(),
    parcels: z.array(Parcel).min(1).max(maxParcels),
  });

type ShipmentSchema = z.infer<ReturnType<typeof shipmentSchema>>;
export type ShipmentBody = Omit<ShipmentSchema, 'from_address'> & {
  readonly from_address: V3Address | SenderReference;
};

export const MAX_PARCELS = { announce: 15, create: 50 } as const;

/** The body validated against the document, or every way it breaks it. */
export function parseShipmentBody(
  body: unknown,
  maxParcels: number,
): { body: ShipmentBody } | { errors: ErrorObject[] } {
  const parsed = shipmentSchema(maxParcels).safeParse(body);
  const fromInput = (body as { from_address?: unknown } | undefined)?.from_address;
  const fromSchema =
    fromInput && typeof fromInput === 'object' && 'sender_address_id' in fromInput
      ? SenderReference
      : V3Address;
  const from = fromInput && typeof fromInput === 'object' ? fromSchema.safeParse(fromInput) : undefined;
  const errors = [
    ...(parsed.success ? [] : issuesToErrors(parsed.error.issues, body)),
    ...(from && !from.success
      ? issuesToErrors(
          from.error.issues.map((issue) => ({ ...issue, path: ['from_address', ...issue.path] })),
          body,
        )
      : []),
  ];
  if (!parsed.success || !from?.success) return { errors };
  return { body: { ...parsed.data, from_address: from.data } };
}
