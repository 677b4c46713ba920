import * as z from '../../validation/zod';
import { NullableString, PageLink } from './common';

export const Refund = z.looseObject({
  total_refund: z.optional(z.nullable(z.union([z.string(), z.number()]))),
  refunded_at: z.optional(z.nullable(z.union([z.string(), z.number()]))),
  message: z.optional(NullableString),
  refund_type: z.optional(z.nullable(z.looseObject({ code: z.string(), label: z.optional(z.string()) }))),
});

export const Return = z.looseObject({
  id: z.number().check(z.int()),
  created_at: z.string(),
  reason: z.optional(z.unknown()),
  outgoing_parcel: z.nullable(z.number().check(z.int())),
  incoming_parcel: z.nullable(z.number().check(z.int())),
  message: z.optional(NullableString),
  refund: z.optional(z.nullable(Refund)),
  is_cancellable: z.optional(z.boolean()),
  label_cost: z.optional(z.nullable(z.number())),
  label_currency: z.optional(NullableString),
  delivered_at: z.optional(NullableString),
  delivery_option: z.optional(NullableString),
  incoming_parcel_data: z.optional(
    z.nullable(
      z.looseObject({
        tracking_number: z.optional(NullableString),
        tracking_url: z.optional(NullableString),
      }),
    ),
  ),
  incoming_parcel_status: z.optional(
    z.nullable(z.looseObject({ id: z.number().check(z.int()), message: z.string() })),
  ),
});
export type Return = z.infer<typeof Return>;

export const ReturnList = z.looseObject({ next: PageLink, previous: PageLink, returns: z.array(Return) });
/** `GET /returns/{id}` answers the bare object; some clients wrap it in `{"return": …}`. Both become the object. */
export const ReturnEnvelope = z.union([
  z.pipe(
    z.looseObject({ return: Return }),
    z.transform((body) => body.return),
  ),
  Return,
]);

/** 200 `{"url": "https://…"}`, 200 `{"url": ""}` or 404 `{"url": null}` — the last two mean "no portal". */
export const ReturnPortalUrl = z.looseObject({ url: z.nullable(z.string()) });
