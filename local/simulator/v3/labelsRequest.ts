import * as z from 'zod';
import { type ErrorObject, errorObject, issuesToErrors } from './errors';
import { DECIMAL, DIMENSION_UNITS, WEIGHT_UNITS } from './measures';

/**
 * The body of `POST /orders/create-labels-async` (`create-labels-async`): the integration, an optional
 * sender address, brand and `ship_with` for every order, and 1–20 distinct orders, each chosen by `order_id`
 * or by `order_number` (a `oneOf`: both at once match both branches, which the document refuses), optionally
 * split into parcels. Pointers as the document's `InvalidOrderId` example: `/data/attributes/orders/0/order_id`.
 */
export const MAX_LABEL_ORDERS = 20;
const MAX_PARCELS = 50;

const Decimal = z.string().regex(DECIMAL, { error: 'A valid number is required.' });

const ShipWith = z.strictObject({
  type: z.enum(['shipping_option_code']),
  properties: z.strictObject({
    shipping_option_code: z.string().optional(),
    contract_id: z.int().min(1).optional(),
  }),
});

const LabelParcel = z.strictObject({
  dimensions: z
    .strictObject({ length: Decimal, width: Decimal, height: Decimal, unit: z.enum(DIMENSION_UNITS) })
    .optional(),
  weight: z.strictObject({ value: Decimal, unit: z.enum(WEIGHT_UNITS) }).optional(),
  additional_insured_price: z
    .strictObject({ value: Decimal, currency: z.string().length(3) })
    .nullable()
    .optional(),
  label_notes: z.array(z.string().min(1).max(255)).max(255).optional(),
  sscc: z
    .string()
    .regex(/^\d{18}$/, { error: 'Ensure this field has exactly 18 digits.' })
    .optional(),
  parcel_items: z.array(z.strictObject({ item_id: z.string().min(1), quantity: z.int().min(1) })).max(1000),
});
export type LabelParcel = z.infer<typeof LabelParcel>;

const OrderSelector = z
  .strictObject({
    order_id: z.string().min(1).max(64).optional(),
    order_number: z.string().min(1).max(255).optional(),
    apply_shipping_rules: z.boolean().optional(),
    parcels: z.array(LabelParcel).min(1).max(MAX_PARCELS).optional(),
  })
  .refine((o) => (o.order_id === undefined) !== (o.order_number === undefined), {
    error: 'Give either order_id or order_number.',
  });
export type OrderSelector = z.infer<typeof OrderSelector>;

const LabelsBody = z.strictObject({
  integration_id: z.int(),
  sender_address_id: z.int().optional(),
  brand_id: z.int().min(1).optional(),
  ship_with: ShipWith.optional(),
  orders: z.array(OrderSelector).min(1).max(MAX_LABEL_ORDERS),
});
export type LabelsBody = z.infer<typeof LabelsBody>;

/** The body validated against the document, or every way it breaks it. */
export function parseLabelsBody(body: unknown): { body: LabelsBody } | { errors: ErrorObject[] } {
  const parsed = LabelsBody.safeParse(body);
  if (!parsed.success)
    return {
      errors: issuesToErrors(parsed.error.issues, body).map((e) =>
        e.source?.pointer ? { ...e, source: { pointer: `/data/attributes${e.source.pointer}` } } : e,
      ),
    };
  const seen = new Set<string>();
  for (const [i, order] of parsed.data.orders.entries()) {
    const key = JSON.stringify(order);
    if (seen.has(key))
      return {
        errors: [
          errorObject(400, 'invalid', 'Orders must be unique: this order is in the list twice.', {
            pointer: `/data/attributes/orders/${i}`,
          }),
        ],
      };
    seen.add(key);
  }
  return { body: parsed.data };
}
