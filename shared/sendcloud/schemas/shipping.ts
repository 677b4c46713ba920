import * as z from 'zod';
import { KgString, NullableString, PageLink } from './common';

export const ShippingMethodCountry = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  iso_2: z.string().length(2),
  iso_3: z.string().length(3).optional(),
  price: z.number().nullable(),
  lead_time_hours: z.number().int().nullable().optional(),
  price_breakdown: z
    .array(z.looseObject({ type: z.string(), label: z.string(), value: z.number() }))
    .optional(),
  from_iso_2: z.string().optional(),
});

export const ShippingMethod = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  carrier: z.string(),
  min_weight: KgString,
  max_weight: KgString,
  service_point_input: z.string(),
  price: z.number().optional(),
  countries: z.array(ShippingMethodCountry),
});
export type ShippingMethod = z.infer<typeof ShippingMethod>;

export const ShippingMethodsResponse = z.looseObject({
  shipping_methods: z.array(ShippingMethod),
  next: PageLink.optional(),
  previous: PageLink.optional(),
});
export const ShippingMethodEnvelope = z.looseObject({ shipping_method: ShippingMethod });

export const ShippingPrice = z.looseObject({
  price: NullableString,
  currency: NullableString,
  to_country: NullableString.optional(),
  breakdown: z.array(z.looseObject({ type: z.string(), label: z.string(), value: z.number() })).optional(),
});
export type ShippingPrice = z.infer<typeof ShippingPrice>;
export const ShippingPriceResponse = z.array(ShippingPrice);

export const SenderAddress = z.looseObject({
  id: z.number().int(),
  company_name: NullableString.optional(),
  contact_name: NullableString.optional(),
  email: NullableString.optional(),
  telephone: NullableString.optional(),
  street: z.string(),
  house_number: NullableString.optional(),
  postal_box: NullableString.optional(),
  postal_code: z.string(),
  city: z.string(),
  country: z.string(),
  country_state: NullableString.optional(),
  brand_id: z.number().int().nullable().optional(),
  label: NullableString.optional(),
});
export type SenderAddress = z.infer<typeof SenderAddress>;
export const SenderAddressesResponse = z.looseObject({ sender_addresses: z.array(SenderAddress) });
export const SenderAddressEnvelope = z.looseObject({ sender_address: SenderAddress });

export const ParcelStatusList = z.array(z.looseObject({ id: z.number().int(), message: z.string() }));
export type ParcelStatusList = z.infer<typeof ParcelStatusList>;
