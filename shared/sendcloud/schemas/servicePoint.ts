import * as z from '../../validation/zod';
import { NullableString } from './common';

/** Day keys "0" (Monday) … "6" (Sunday) → ["HH:MM - HH:MM", …]. */
export const OpeningTimes = z.record(z.string(), z.array(z.string()));

export const ServicePoint = z.looseObject({
  id: z.number().check(z.int()),
  code: z.string(),
  is_active: z.boolean(),
  shop_type: z.optional(NullableString),
  general_shop_type: z.optional(NullableString),
  extra_data: z.optional(z.record(z.string(), z.unknown())),
  name: z.string(),
  street: z.string(),
  house_number: z.string(),
  postal_code: z.string(),
  city: z.string(),
  latitude: z.string(),
  longitude: z.string(),
  email: z.optional(NullableString),
  phone: z.optional(NullableString),
  homepage: z.optional(NullableString),
  carrier: z.string(),
  country: z.string().check(z.length(2)),
  formatted_opening_times: z.optional(OpeningTimes),
  open_tomorrow: z.optional(z.boolean()),
  open_upcoming_week: z.optional(z.boolean()),
  distance: z.optional(z.number()),
});
export type ServicePoint = z.infer<typeof ServicePoint>;

export const ServicePointList = z.array(ServicePoint);
export const ServicePointCarriers = z.array(z.string());
export const ServicePointAvailability = z.boolean();

export const ServicePointSearchQuery = z.object({
  country: z.string().check(z.length(2)),
  carrier: z.optional(z.array(z.string())),
  address: z.optional(z.string()),
  city: z.optional(z.string()),
  postal_code: z.optional(z.string()),
  house_number: z.optional(z.string()),
  latitude: z.optional(z.number().check(z.gte(-90), z.lte(90))),
  longitude: z.optional(z.number().check(z.gte(-180), z.lte(180))),
  radius: z.optional(z.number().check(z.int(), z.gte(100), z.lte(50_000))),
  ne_latitude: z.optional(z.number()),
  ne_longitude: z.optional(z.number()),
  sw_latitude: z.optional(z.number()),
  sw_longitude: z.optional(z.number()),
  weight: z.optional(z.number()),
  general_shop_type: z.optional(z.array(z.enum(['servicepoint', 'locker', 'post_office', 'carrier_depot']))),
});
export type ServicePointSearchQuery = z.infer<typeof ServicePointSearchQuery>;
