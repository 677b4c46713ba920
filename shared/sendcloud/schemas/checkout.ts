import * as z from '../../validation/zod';
import { NullableString } from './common';

export const DeliveryOption = z.looseObject({
  id: z.union([z.number(), z.string()]),
  title: z.string(),
  internal_title: z.optional(NullableString),
  description: z.optional(NullableString),
  delivery_method_type: z.string(),
  cut_off_time: z.optional(NullableString),
  checkout_identifier: z.optional(z.looseObject({ type: z.string(), value: z.string() })),
  shipping_rate: z.optional(z.nullable(z.looseObject({ value: z.string(), currency: z.string() }))),
  carrier: z.looseObject({
    code: z.string(),
    name: z.optional(z.string()),
    logo_url: z.optional(NullableString),
  }),
  delivery_dates: z.optional(
    z.nullable(z.array(z.looseObject({ parcel_handover_date: z.string(), delivery_date: z.string() }))),
  ),
  lead_time_hours: z.optional(z.nullable(z.record(z.string(), z.number()))),
});
export type DeliveryOption = z.infer<typeof DeliveryOption>;

export const DeliveryOptionsResponse = z.looseObject({
  configuration_id: z.optional(z.union([z.number(), z.string()])),
  delivery_options: z.array(DeliveryOption),
});
export type DeliveryOptionsResponse = z.infer<typeof DeliveryOptionsResponse>;
