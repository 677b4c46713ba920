import * as z from 'zod';
import { NullableString } from './common';

/** Day keys "0" (Monday) … "6" (Sunday) → ["HH:MM - HH:MM", …]. */
export const OpeningTimes = z.record(z.string(), z.array(z.string()));

export const ServicePoint = z.looseObject({
  id: z.number().int(),
  code: z.string(),
  is_active: z.boolean(),
  shop_type: NullableString.optional(),
  general_shop_type: NullableString.optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
  name: z.string(),
  street: z.string(),
  house_number: z.string(),
  postal_code: z.string(),
  city: z.string(),
  latitude: z.string(),
  longitude: z.string(),
  email: NullableString.optional(),
  phone: NullableString.optional(),
  homepage: NullableString.optional(),
  carrier: z.string(),
  country: z.string().length(2),
  formatted_opening_times: OpeningTimes.optional(),
  open_tomorrow: z.boolean().optional(),
  open_upcoming_week: z.boolean().optional(),
  distance: z.number().optional(),
});
export type ServicePoint = z.infer<typeof ServicePoint>;

export const ServicePointList = z.array(ServicePoint);
export const ServicePointCarriers = z.array(z.string());
export const ServicePointAvailability = z.boolean();

export const ServicePointSearchQuery = z.object({
  country: z.string().length(2),
  carrier: z.array(z.string()).optional(),
  address: z.string().optional(),
  city: z.string().optional(),
  postal_code: z.string().optional(),
  house_number: z.string().optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  radius: z.number().int().min(100).max(50_000).optional(),
  ne_latitude: z.number().optional(),
  ne_longitude: z.number().optional(),
  sw_latitude: z.number().optional(),
  sw_longitude: z.number().optional(),
  weight: z.number().optional(),
  general_shop_type: z.array(z.enum(['servicepoint', 'locker', 'post_office', 'carrier_depot'])).optional(),
});
export type ServicePointSearchQuery = z.infer<typeof ServicePointSearchQuery>;
