import * as z from 'zod';
import { NullableString, PageLink } from './common';

export const Refund = z.looseObject({
  total_refund: z.union([z.string(), z.number()]).nullable().optional(),
  refunded_at: z.union([z.string(), z.number()]).nullable().optional(),
  message: NullableString.optional(),
  refund_type: z.looseObject({ code: z.string(), label: z.string().optional() }).nullable().optional(),
});

export const Return = z.looseObject({
  id: z.number().int(),
  created_at: z.string(),
  reason: z.unknown().optional(),
  outgoing_parcel: z.number().int().nullable(),
  incoming_parcel: z.number().int().nullable(),
  message: NullableString.optional(),
  refund: Refund.nullable().optional(),
  is_cancellable: z.boolean().optional(),
  label_cost: z.number().nullable().optional(),
  label_currency: NullableString.optional(),
  delivered_at: NullableString.optional(),
  delivery_option: NullableString.optional(),
  incoming_parcel_data: z
    .looseObject({ tracking_number: NullableString.optional(), tracking_url: NullableString.optional() })
    .nullable()
    .optional(),
  incoming_parcel_status: z.looseObject({ id: z.number().int(), message: z.string() }).nullable().optional(),
});
export type Return = z.infer<typeof Return>;

export const ReturnList = z.looseObject({ next: PageLink, previous: PageLink, returns: z.array(Return) });
/** `GET /returns/{id}` answers the bare object; some clients wrap it in `{"return": …}`. Both become the object. */
export const ReturnEnvelope = z.union([
  z.looseObject({ return: Return }).transform((body) => body.return),
  Return,
]);

/** 200 `{"url": "https://…"}`, 200 `{"url": ""}` or 404 `{"url": null}` — the last two mean "no portal". */
export const ReturnPortalUrl = z.looseObject({ url: z.string().nullable() });
