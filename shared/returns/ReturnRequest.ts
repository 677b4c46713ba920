import { Decimal, Grams, OptionalText, Recipient, Text } from '../orders/OrderRequest';
import * as z from '../validation/zod';

export const RETURN_REASONS = [
  'wrong_size',
  'damaged',
  'not_as_described',
  'wrong_item',
  'changed_mind',
  'other',
] as const;

export const ReturnItem = z.object({
  description: Text(255),
  quantity: z
    .number()
    .check(z.int('a whole number'), z.gte(1, 'at least 1'), z.lte(10_000, 'at most 10,000')),
  sku: OptionalText(100),
  /** Defaults to the HS code of the order's line with the same SKU. */
  hsCode: z.nullish(z.string().check(z.regex(/^\d{6,10}$/, 'a 6 to 10 digit HS code'))),
  reason: z.enum(RETURN_REASONS),
  /** The customer's own words: may have several lines. */
  message: OptionalText(255, { multiline: true }),
  /** Defaults to the value of the original order split over its items. */
  unitPrice: z.optional(Decimal),
  weightGrams: z.optional(Grams),
});
export type ReturnItem = z.infer<typeof ReturnItem>;

/** `POST /returns`: a return for a shipped order (channel + orderId) or its parcel (parcelId). */
export const ReturnRequest = z
  .object({
    channel: z.optional(
      Text(30).check(
        z.regex(/^[a-z0-9_-]+$/, 'lowercase letters, digits, - and _ (the channel the order was sent with)'),
      ),
    ),
    orderId: z.optional(Text(100)),
    parcelId: z.optional(z.number().check(z.int(), z.positive())),
    /** The shop's own return number (RMA): the same reference is the same return. */
    reference: z.optional(
      z
        .string()
        .check(
          z.trim(),
          z.regex(/^[A-Za-z0-9._-]{1,50}$/, 'letters, digits, dot, dash or underscore, at most 50'),
        ),
    ),
    items: z.array(ReturnItem).check(z.minLength(1, 'at least one item'), z.maxLength(50)),
    /** The customer's address, when it differs from the order's (or the order's is no longer kept). */
    from: z.optional(Recipient),
    weightGrams: z.optional(Grams),
  })
  .check(
    z.refine((r) => r.parcelId !== undefined || r.orderId !== undefined, {
      message: 'give orderId (with channel) or parcelId',
      path: ['orderId'],
    }),
  );
export type ReturnRequest = z.infer<typeof ReturnRequest>;
