import * as z from 'zod';
import { Decimal, Grams, OptionalText, Recipient, Text } from '../orders/OrderRequest';

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
  quantity: z.number().int('a whole number').min(1, 'at least 1').max(10_000, 'at most 10,000'),
  sku: OptionalText(100),
  /** Defaults to the HS code of the order's line with the same SKU. */
  hsCode: z
    .string()
    .regex(/^\d{6,10}$/, 'a 6 to 10 digit HS code')
    .nullish(),
  reason: z.enum(RETURN_REASONS),
  /** The customer's own words: may have several lines. */
  message: OptionalText(255, { multiline: true }),
  /** Defaults to the value of the original order split over its items. */
  unitPrice: Decimal.optional(),
  weightGrams: Grams.optional(),
});
export type ReturnItem = z.infer<typeof ReturnItem>;

/** `POST /returns`: a return for a shipped order (channel + orderId) or its parcel (parcelId). */
export const ReturnRequest = z
  .object({
    channel: Text(30)
      .regex(/^[a-z0-9_-]+$/, 'lowercase letters, digits, - and _ (the channel the order was sent with)')
      .optional(),
    orderId: Text(100).optional(),
    parcelId: z.number().int().positive().optional(),
    /** The shop's own return number (RMA): the same reference is the same return. */
    reference: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,50}$/, 'letters, digits, dot, dash or underscore, at most 50')
      .optional(),
    items: z.array(ReturnItem).min(1, 'at least one item').max(50),
    /** The customer's address, when it differs from the order's (or the order's is no longer kept). */
    from: Recipient.optional(),
    weightGrams: Grams.optional(),
  })
  .refine((r) => r.parcelId !== undefined || r.orderId !== undefined, {
    message: 'give orderId (with channel) or parcelId',
    path: ['orderId'],
  });
export type ReturnRequest = z.infer<typeof ReturnRequest>;
