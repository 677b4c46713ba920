import * as z from 'zod';
import { NullableString } from './common';

export const DeliveryOption = z.looseObject({
  id: z.union([z.number(), z.string()]),
  title: z.string(),
  internal_title: NullableString.optional(),
  description: NullableString.optional(),
  delivery_method_type: z.string(),
  cut_off_time: NullableString.optional(),
  checkout_identifier: z.looseObject({ type: z.string(), value: z.string() }).optional(),
  shipping_rate: z.looseObject({ value: z.string(), currency: z.string() }).nullable().optional(),
  carrier: z.looseObject({
    code: z.string(),
    name: z.string().optional(),
    logo_url: NullableString.optional(),
  }),
  delivery_dates: z
    .array(z.looseObject({ parcel_handover_date: z.string(), delivery_date: z.string() }))
    .nullable()
    .optional(),
  lead_time_hours: z.record(z.string(), z.number()).nullable().optional(),
});
export type DeliveryOption = z.infer<typeof DeliveryOption>;

export const DeliveryOptionsResponse = z.looseObject({
  configuration_id: z.union([z.number(), z.string()]).optional(),
  delivery_options: z.array(DeliveryOption),
});
export type DeliveryOptionsResponse = z.infer<typeof DeliveryOptionsResponse>;
