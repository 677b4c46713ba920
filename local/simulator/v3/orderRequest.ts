import * as z from 'zod';
import { V3Address } from './addresses';
import { type ErrorObject, errorObject, issuesToErrors } from './errors';
import { DECIMAL, DIMENSION_UNITS, WEIGHT_UNITS } from './measures';

/**
 * The body of `POST /orders`: 1–100 orders as `orders-order` defines them. Objects are strict (a field the
 * document does not name is an `unknown_field` error) and numbers stay numbers (the Orders API types prices
 * and weights as numbers, unlike the Shipments API). Pointers are the document's: `/data/attributes/[1]/…`,
 * the order's index in brackets.
 */
export const MAX_ORDERS = 100;
const CURRENCIES = ['EUR', 'GBP', 'USD'] as const;

const Price = z.strictObject({ value: z.number(), currency: z.enum(CURRENCIES) });
const Status = z.strictObject({ code: z.string().min(1), message: z.string().optional() });
const DateTime = z.iso.datetime({ offset: true });
const Weight = z.strictObject({ value: z.number().positive(), unit: z.enum(WEIGHT_UNITS) });
const Dimension = z.strictObject({
  length: z.number().min(0),
  width: z.number().min(0),
  height: z.number().min(0),
  unit: z.enum(DIMENSION_UNITS),
});
const Measurement = z.strictObject({
  dimension: Dimension.optional(),
  weight: Weight.optional(),
  volume: z.strictObject({ value: z.int().min(0), unit: z.enum(['m3', 'cm3', 'l', 'ml', 'gal']) }).optional(),
});
const Costs = z.strictObject({
  value: z.string().regex(DECIMAL, { error: 'A valid number is required.' }),
  currency: z.string(),
});

const OrderItem = z.strictObject({
  item_id: z.string().min(1).optional(),
  product_id: z.string().optional(),
  variant_id: z.string().optional(),
  image_url: z.url().optional(),
  name: z.string(),
  quantity: z.int().min(1),
  sku: z.string().optional(),
  hs_code: z.string().optional(),
  country_of_origin: z.string().length(2).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  unit_price: Price.optional(),
  total_price: Price,
  measurement: Measurement.optional(),
  ean: z.string().optional(),
  delivery_dates: z
    .strictObject({ handover_at: DateTime.optional(), deliver_at: DateTime.optional() })
    .optional(),
  mid_code: z.string().optional(),
  material_content: z.string().optional(),
  intended_use: z.string().optional(),
  dangerous_goods: z.record(z.string(), z.unknown()).optional(),
});
export type OrderItem = z.infer<typeof OrderItem>;

const TaxNumbers = z.array(
  z.strictObject({
    name: z.string().optional(),
    country_code: z.string().optional(),
    value: z.string().optional(),
  }),
);

const ShipWith = z.strictObject({
  type: z.enum(['shipping_option_code']),
  properties: z.strictObject({
    shipping_option_code: z.string().optional(),
    contract_id: z.int().min(1).optional(),
  }),
});
export type OrderShipWith = z.infer<typeof ShipWith>;

const Order = z.strictObject({
  /** Sendcloud's id, a string in requests (an integer is the documented `InvalidIdType` error). */
  id: z.string().optional(),
  order_id: z.string().min(1),
  order_number: z.string().min(1),
  order_details: z.strictObject({
    integration: z.strictObject({ id: z.int() }),
    status: Status,
    order_created_at: DateTime,
    order_updated_at: DateTime.optional(),
    order_items: z.array(OrderItem),
    notes: z.string().optional(),
    tags: z.array(z.string()).optional(),
  }),
  payment_details: z.strictObject({
    is_cash_on_delivery: z.boolean().optional(),
    total_price: Price,
    subtotal_price: Price.optional(),
    estimated_shipping_price: Price.optional(),
    estimated_tax_price: Price.optional(),
    status: Status,
    invoice_date: z.string().optional(),
    discount_granted: Costs.optional(),
    insurance_costs: Costs.optional(),
    freight_costs: Costs.optional(),
    other_costs: Costs.optional(),
  }),
  customs_details: z
    .strictObject({
      commercial_invoice_number: z.string().optional(),
      shipment_type: z.enum(['gift', 'commercial_goods', 'commercial_sample', 'returned_goods']).optional(),
      export_type: z.enum(['private', 'commercial_b2c', 'commercial_b2b']).optional(),
      tax_numbers: z
        .strictObject({
          sender: TaxNumbers.optional(),
          receiver: TaxNumbers.optional(),
          importer_of_record: TaxNumbers.optional(),
        })
        .optional(),
    })
    .optional(),
  customer_details: z
    .strictObject({ name: z.string(), phone_number: z.string().optional(), email: z.string().optional() })
    .optional(),
  billing_address: V3Address.optional(),
  shipping_address: V3Address.optional(),
  shipping_details: z
    .strictObject({
      is_local_pickup: z.boolean().optional(),
      delivery_indicator: z.string().optional(),
      measurement: Measurement.optional(),
      ship_with: ShipWith.optional(),
    })
    .optional(),
  // `extra_data` is not in `service-point`, yet the document's own `CreateServicePointOrder` example sends it.
  service_point_details: z
    .strictObject({ id: z.string(), extra_data: z.record(z.string(), z.unknown()).optional() })
    .optional(),
});
export type OrderInput = Omit<z.infer<typeof Order>, 'id'>;
export type OrderRequest = z.infer<typeof Order>;

/** `/0/order_details/…` (the order's index first) → the document's `/data/attributes/[0]/order_details/…`. */
const inBatch = (errors: readonly ErrorObject[]): ErrorObject[] =>
  errors.map((e) => {
    const path = e.source?.pointer;
    if (path === undefined) return e;
    return { ...e, source: { pointer: path.replace(/^\/(\d+)/, '/data/attributes/[$1]') } };
  });

export const orderError = (index: number, field: string, detail: string): ErrorObject =>
  errorObject(400, 'invalid', detail, { pointer: `/data/attributes/[${index}]/${field}` });

/** The batch validated against the document, or every way it breaks it (nothing is stored either way). */
export function parseOrders(body: unknown): { orders: OrderRequest[] } | { errors: ErrorObject[] } {
  if (!Array.isArray(body))
    return {
      errors: [
        {
          ...errorObject(400, 'non_field_errors', 'Wrong request format, expected list of objects'),
          title: 'Wrong format',
        },
      ],
    };
  if (body.length === 0 || body.length > MAX_ORDERS)
    return {
      errors: [
        errorObject(
          400,
          'invalid',
          body.length === 0
            ? 'Orders list should have at least 1 item, not 0'
            : `Orders list should have at most ${MAX_ORDERS} items, not ${body.length}`,
          { pointer: '/data/attributes/' },
        ),
      ],
    };
  const parsed = z.array(Order).safeParse(body);
  if (parsed.success) return { orders: parsed.data };
  return { errors: inBatch(issuesToErrors(parsed.error.issues, body)) };
}
